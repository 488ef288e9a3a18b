"""Bearer-token JSON API for business systems (CRM, booking, billing)."""

from __future__ import annotations

import hmac
import logging
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from bot.models import Customer, CustomerTag, Event, Message, Staff, Tag
from bot.models.guide_tasks import TASK_STATUSES
from bot.guides.tasks import TaskRow
from bot.services.customers import ProfileError
from bot.tagging.rules import parse_lifetime
from bot.web import current_runtime
from bot.web.inputs import MAX_DB_ID, InputError, check_text, db_id, int_arg, moment_problem, parse_json_object
from bot.web.inputs import validated as _validated

logger = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

MAX_PAGE = 200


class ApiError(InputError):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message, field, status)


class CustomerRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int | None = Field(default=None, ge=1, le=MAX_DB_ID)
    external_userid: str | None = Field(default=None, min_length=1, max_length=64)
    openid: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> "CustomerRef":
        given = [name for name in ("id", "external_userid", "openid") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of id, external_userid, openid")
        return self


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: CustomerRef
    type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    at: datetime
    data: dict[str, Any] = Field(default_factory=dict)
    # A business system that retries a POST sends the same key; the event is stored once.
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=128)

    @field_validator("at")
    @classmethod
    def _storable(cls, value: datetime) -> datetime:
        problem = moment_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ProfileIn(BaseModel):
    """`PATCH /api/customers/<id>`: only the given fields change; an attribute set to null is removed."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=128)
    birthday: date | None = None
    attributes: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=500)
    lifetime: str | None = Field(default=None, max_length=32)  # "30d": the tag falls off after that

    @field_validator("lifetime")
    @classmethod
    def _lifetime(cls, value: str | None) -> str | None:
        if value is not None:
            parse_lifetime(value)
        return value


@bp.before_request
def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    tokens = [t.get_secret_value().encode() for t in current_runtime().config.api.tokens]
    # Header values arrive as latin-1 text; compare bytes so a non-ASCII token is just wrong, not a 500.
    given = token.encode("utf-8", "surrogateescape")
    if scheme.lower() != "bearer" or not token or not any(hmac.compare_digest(given, t) for t in tokens):
        response = jsonify(error="unauthorized", message="missing or wrong bearer token")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="siyu"'
        return response
    return None


@bp.errorhandler(InputError)
def _input_error(exc: InputError) -> tuple[Response, int]:
    error = {404: "not_found", 409: "conflict", 413: "too_large"}.get(exc.status, "bad_request")
    body: dict[str, Any] = {"error": error, "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return jsonify(body), exc.status


def _json_body() -> dict[str, Any]:
    return parse_json_object(request.get_data(cache=True))


def _int_arg(name: str, default: int, maximum: int = MAX_DB_ID) -> int:
    return int_arg(request.args.get(name), name, default, maximum)


def _text_arg(name: str, max_length: int = 128) -> str | None:
    value = request.args.get(name)
    return None if value is None else check_text(value, name, max_length)


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "external_userid": customer.external_userid,
        "openid": customer.openid,
        "unionid": customer.unionid,
        "guide": customer.guide.userid if customer.guide else None,
        "stage": customer.stage,
        "value_tier": customer.value_tier,
        "opted_out": customer.opted_out,
        "birthday": customer.birthday.isoformat() if customer.birthday else None,
        "attributes": customer.attributes or {},
        "tags": [tag_json(ct) for ct in sorted(customer.tags, key=lambda ct: ct.tag.name)],
        "first_seen_at": customer.first_seen_at.isoformat(),
        "last_active_at": customer.last_active_at.isoformat() if customer.last_active_at else None,
    }


@bp.get("/health")
def health() -> Response:
    """The callback log at a glance: backlog, retries, dead letters (pushes that could not be processed)."""
    return jsonify(callbacks=current_runtime().inbox.health())


def tag_json(ct: CustomerTag) -> dict[str, Any]:
    """One tag with the reason stored for it: rule, matched words, clause, message and when."""
    return {
        "name": ct.tag.name, "source": ct.source, "rule": ct.rule or None, "matched": list(ct.matched or []),
        "reason": ct.reason or None, "message_id": ct.message_id,
        "added_at": ct.created_at.isoformat() if ct.created_at else None,
        "expires_at": ct.expires_at.isoformat() if ct.expires_at else None,
    }


@bp.get("/customers")
def list_customers() -> Response:
    limit = _int_arg("limit", 50, MAX_PAGE)
    offset = _int_arg("offset", 0)
    query = select(Customer).order_by(Customer.id)
    if tag := _text_arg("tag"):
        query = query.where(Customer.id.in_(
            select(CustomerTag.customer_id).join(Tag).where(Tag.name == tag)))
    if guide := _text_arg("guide"):
        query = query.join(Staff, Customer.guide_id == Staff.id).where(Staff.userid == guide)
    if stage := _text_arg("stage"):
        query = query.where(Customer.stage == stage)
    with current_runtime().db.session() as session:
        customers = session.scalars(query.options(selectinload(Customer.tags))
                                    .limit(limit).offset(offset)).unique().all()
        return jsonify(items=[customer_json(c) for c in customers], limit=limit, offset=offset)


@bp.get("/customers/<customer_id>")
def get_customer(customer_id: str) -> Response:
    customer_id = db_id(customer_id, "customer_id")
    with current_runtime().db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise ApiError(404, f"no customer with id {customer_id}")
        return jsonify(customer_json(customer))


@bp.get("/messages")
def list_messages() -> Response:
    raw = request.args.get("customer")
    if not raw:
        raise ApiError(400, "customer: required (a customer id)", "customer")
    customer_id = db_id(raw, "customer")
    limit = _int_arg("limit", 100, MAX_PAGE)
    with current_runtime().db.session() as session:
        if session.get(Customer, customer_id) is None:
            raise ApiError(404, f"no customer with id {customer_id}")
        rows = session.scalars(
            select(Message).where(Message.customer_id == customer_id)
            .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
        ).all()
        return jsonify(items=[
            {"id": m.id, "direction": m.direction, "channel": m.channel, "type": m.msg_type, "content": m.content,
             "status": m.status, "errcode": m.errcode, "at": m.created_at.isoformat()} for m in rows
        ])


@bp.get("/guide-tasks")
def list_guide_tasks() -> Response:
    """Follow-up tasks oldest first: `staff` (a guide's userid), `status` (open by default, or all)."""
    status = request.args.get("status", "open")
    if status not in (*TASK_STATUSES, "all"):
        raise ApiError(400, f"status: expected one of {', '.join(TASK_STATUSES)}, all", "status")
    staff = _text_arg("staff")
    if staff is not None and not 0 < len(staff) <= 64:
        raise ApiError(400, "staff: expected a guide's WeCom userid", "staff")
    limit = _int_arg("limit", 50, MAX_PAGE)
    offset = _int_arg("offset", 0)
    runtime = current_runtime()
    with runtime.db.session() as session:
        rows = runtime.guide_tasks(session).listing(staff_userid=staff, status=None if status == "all" else status,
                                                    limit=limit, offset=offset)
        return jsonify(items=[guide_task_json(row) for row in rows], limit=limit, offset=offset)


def guide_task_json(row: TaskRow) -> dict[str, Any]:
    task = row.task
    return {
        "id": task.id,
        "staff": row.staff_userid,
        "customer": {"id": task.customer_id, "name": row.customer_name},
        "source": task.source,
        "text": task.text,
        "status": task.status,
        "delivery_id": task.delivery_id,
        "created_at": task.created_at.isoformat(),
        "done_at": task.done_at.isoformat() if task.done_at else None,
    }


@bp.get("/guides/response-times")
def guide_response_times() -> Response:
    """Per guide: forwarded messages, first response times, the share answered in time, task completion."""
    from datetime import timedelta

    from bot.guides.stats import guide_report

    runtime = current_runtime()
    raw = request.args.get("since")
    try:
        since = datetime.fromisoformat(raw) if raw else runtime.clock.now() - timedelta(days=30)
    except ValueError:
        raise ApiError(400, "since must be an ISO date-time, e.g. 2026-11-01T00:00:00+08:00", "since") from None
    if since.tzinfo is None:
        raise ApiError(400, "since needs a time zone, e.g. 2026-11-01T00:00:00+08:00", "since")
    with runtime.db.session() as session:
        return jsonify(guide_report(session, runtime.config, since, request.args.get("staff")))


@bp.post("/events")
def post_event() -> tuple[Response, int]:
    """Record a business event; with an idempotency key (header or field) a retried POST stores it once."""
    payload = _json_body()
    header_key = request.headers.get("Idempotency-Key")
    if header_key is not None:
        check_text(header_key, "Idempotency-Key", 128)
        if payload.setdefault("idempotency_key", header_key) != header_key:
            raise ApiError(400, "idempotency_key: differs from the Idempotency-Key header", "idempotency_key")
    event_in: EventIn = _validated(EventIn, payload)
    runtime = current_runtime()
    key = event_in.idempotency_key
    if key and (replay := _replayed_event(key, event_in)):
        return replay
    try:
        with runtime.db.session() as session:
            service = runtime.customers(session)
            customer = service.find(event_in.customer.model_dump(exclude_none=True))
            if customer is None:
                raise ApiError(404, "customer: no such customer", "customer")
            event = service.record_event(customer, event_in.type, event_in.at, event_in.data, source="api",
                                         idempotency_key=key)
            return jsonify(id=event.id, customer=customer.id, type=event.type), 202
    except IntegrityError:
        replay = _replayed_event(key, event_in) if key else None
        if replay is None:  # not the key's race: a real error, for the error hook
            raise
        return replay


def _replayed_event(key: str, event_in: EventIn) -> tuple[Response, int] | None:
    """The answer for a key already used: the stored event, or 409 when the key came with another event."""
    with current_runtime().db.session() as session:
        event = session.scalar(select(Event).where(Event.idempotency_key == key))
        if event is None:
            return None
        customer = session.get(Customer, event.customer_id)
        ref = event_in.customer
        same_customer = customer is not None and (
            ref.id == customer.id or (ref.external_userid or ref.openid) in (customer.external_userid,
                                                                            customer.openid))
        if not (same_customer and event.type == event_in.type and event.occurred_at == event_in.at):
            raise ApiError(409, "idempotency_key: already used for a different event", "idempotency_key")
        return jsonify(id=event.id, customer=event.customer_id, type=event.type, replayed=True), 200


@bp.patch("/customers/<customer_id>")
def patch_customer(customer_id: str) -> tuple[Response, int]:
    """Set attributes (name, birthday, custom fields) through the same service as the console."""
    customer_id = db_id(customer_id, "customer_id")
    payload = _json_body()
    profile: ProfileIn = _validated(ProfileIn, payload)
    runtime = current_runtime()
    with runtime.db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise ApiError(404, f"no customer with id {customer_id}")
        try:
            runtime.customers(session).update_profile(
                customer, name=profile.name, birthday=profile.birthday if "birthday" in payload else False,
                attributes=profile.attributes)
        except ProfileError as error:
            raise ApiError(400, str(error), error.field) from None
        return jsonify(customer_json(customer)), 200


@bp.post("/customers/<customer_id>/tags")
def add_tag(customer_id: str) -> tuple[Response, int]:
    """A business system or person tags a customer by hand (source `manual`)."""
    customer_id = db_id(customer_id, "customer_id")
    tag_in: TagIn = _validated(TagIn, _json_body())
    runtime = current_runtime()
    with runtime.db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise ApiError(404, f"no customer with id {customer_id}")
        lifetime = parse_lifetime(tag_in.lifetime) if tag_in.lifetime else None
        added = runtime.features["tagging"].service(session).add(customer, tag_in.name, source="manual",
                                                                   reason=tag_in.reason, lifetime=lifetime)
        return jsonify(customer_json(customer)), 201 if added else 200


@bp.delete("/customers/<customer_id>/tags/<path:name>")
def remove_tag(customer_id: str, name: str) -> tuple[Response, int]:
    customer_id = db_id(customer_id, "customer_id")
    check_text(name, "name", 64)
    runtime = current_runtime()
    with runtime.db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise ApiError(404, f"no customer with id {customer_id}")
        if not runtime.features["tagging"].service(session).remove(customer, name):
            raise ApiError(404, f"customer {customer_id} has no tag {name!r}")
        return jsonify(customer_json(customer)), 200
