"""Customers, staff and the relations between them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bot import bulk
from bot.clock import Clock
from bot.db import insert_if_absent, insert_returning_if_absent, insert_row
from bot.hooks import Hooks, batch_reads, forget_batch_reads
from bot.models import Base, Customer, CustomerGuide, CustomerTag, Event, Message, Staff

logger = logging.getLogger(__name__)

IDENTITY_FIELDS = ("id", "external_userid", "openid", "unionid")
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_VALUE = 500
MAX_ATTRIBUTES = 50


class ProfileError(ValueError):
    """A profile change that cannot be stored; `field` names the attribute."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class CustomerService:
    def __init__(self, session: Session, clock: Clock, hooks: Hooks | None = None) -> None:
        self.session = session
        self.clock = clock
        self.hooks = hooks or Hooks()

    # -- staff -------------------------------------------------------------------------------

    def staff(self, userid: str, name: str = "") -> Staff:
        """The staff member with this WeCom userid, created on first sight; read once per
        transaction (a batch of a guide's messages), without flushing what the batch holds back."""
        known: dict[str, Staff] = batch_reads(self.session).setdefault("staff", {})
        staff = known.get(userid)
        if staff is None:
            with self.session.no_autoflush:  # a staff row depends on nothing pending
                staff = self.session.scalar(select(Staff).where(Staff.userid == userid))
            if staff is None:
                insert_if_absent(self.session, Staff, {"userid": userid, "name": name or userid})
                staff = self.session.scalars(select(Staff).where(Staff.userid == userid)).one()
            known[userid] = staff
        if name and staff.name in ("", staff.userid):
            staff.name = name
        return staff

    # -- customers ---------------------------------------------------------------------------

    def find(self, ref: Mapping[str, Any]) -> Customer | None:
        """Look a customer up by `id`, `external_userid`, `openid` or `unionid`."""
        for name in IDENTITY_FIELDS:
            value = ref.get(name)
            if value in (None, ""):
                continue
            if name == "id":
                return self.session.get(Customer, int(value))
            known = self._known()
            if (name, str(value)) in known:  # read with its batch (see `prefetch`)
                customer_id = known[(name, str(value))]
                customer = self.session.get(Customer, customer_id) if customer_id is not None else None
                if customer_id is None or (customer is not None and getattr(customer, name) == str(value)):
                    return customer
            return self.session.scalar(select(Customer).where(getattr(Customer, name) == str(value)))
        return None

    def prefetch(self, identities: Mapping[str, Iterable[str]]) -> list[Customer]:
        """Read the customers known by these identities (`openid`: [...], ...) with their tags in one
        query; looking any of them up again in this transaction, or finding one absent, costs none."""
        wanted = {name: sorted(set(values)) for name, values in identities.items() if values}
        if not wanted:
            return []
        customers = list(self.session.scalars(
            select(Customer).where(or_(*(getattr(Customer, name).in_(values) for name, values in wanted.items())))
            .options(selectinload(Customer.tags).load_only(  # what tagging and routing read of them
                CustomerTag.customer_id, CustomerTag.tag_id, CustomerTag.source, CustomerTag.expires_at))))
        batch_reads(self.session)["customer_rows"] = customers  # the identity map holds them weakly
        known = self._known()
        for name, values in wanted.items():
            found = {getattr(c, name): c.id for c in customers}
            known.update({(name, value): found.get(value) for value in values})
        return customers

    def _known(self) -> dict[tuple[str, str], int | None]:
        """What `prefetch` read, valid for the current transaction only."""
        known: dict[tuple[str, str], int | None] = batch_reads(self.session).setdefault("customers", {})
        return known

    def from_wecom(self, external_userid: str, *, name: str = "", unionid: str | None = None) -> Customer:
        """The customer with this WeCom `external_userid` (kf customers too), created on first sight."""
        return self._identified("external_userid", external_userid, name, unionid)

    def from_mp(self, openid: str, *, name: str = "", unionid: str | None = None) -> Customer:
        """The customer with this Official Account `openid`, created on first sight."""
        return self._identified("openid", openid, name, unionid)

    def _identified(self, field: str, value: str, name: str, unionid: str | None) -> Customer:
        customer = self._find_identified(field, value, unionid)
        if customer is None:
            customer = self._create(name=name, unionid=unionid, **{field: value})
            customer = customer or self._find_identified(field, value, unionid)
            if customer is None:  # the conflicting row went away again between insert and read
                raise LookupError(f"customer {field}={value!r} neither created nor found")
        if not getattr(customer, field):
            setattr(customer, field, value)
        if name and not customer.name:
            customer.name = name
        if unionid and not customer.unionid:
            customer.unionid = unionid
        return customer

    def name_from_what_we_have(self, customer: Customer) -> str:
        """A customer with no name (Official Account followers: user/info has had no nickname since
        2021-12-27) takes a guide's remark for them; `attributes.name_source` says where a name
        came from, so pages can say "no name known" instead of showing an empty one."""
        if customer.name:
            source = customer.attributes.get("name_source") or "known"
        else:
            remark = self.session.scalar(select(CustomerGuide.remark).where(
                CustomerGuide.customer_id == customer.id, CustomerGuide.remark != "").order_by(CustomerGuide.id))
            customer.name, source = (remark, "guide_remark") if remark else ("", "none")
        if customer.attributes.get("name_source") != source:
            customer.attributes = {**customer.attributes, "name_source": source}
        return customer.name

    def merge_by_unionid(self, customer: Customer, unionid: str) -> Customer:
        """Join the WeCom and Official Account records of one person; the older record survives
        and takes over the other's messages, events, relations, tags and journeys."""
        other = self.session.scalar(
            select(Customer).where(Customer.unionid == unionid, Customer.id != customer.id)
        )
        if other is None:
            customer.unionid = unionid
            return customer
        keep, drop = (other, customer) if other.id < customer.id else (customer, other)
        forget_batch_reads(self.session)  # identities, journeys and tags move between records
        self._move_rows(drop, keep)
        identities = {name: getattr(drop, name) for name in ("external_userid", "openid")}
        keep.name = keep.name or drop.name
        keep.guide_id = keep.guide_id or drop.guide_id
        keep.attributes = {**drop.attributes, **keep.attributes}
        keep.opted_out = keep.opted_out or drop.opted_out
        self.session.delete(drop)
        self.session.flush()
        for name, value in identities.items():
            if value and not getattr(keep, name):
                setattr(keep, name, value)
        keep.unionid = unionid
        self.session.flush()
        logger.info("merged customer %s into %s by unionid", drop.id, keep.id)
        return keep

    def _move_rows(self, drop: Customer, keep: Customer) -> None:
        """Point every row that belongs to `drop` at `keep`; one-per-customer rows keep `keep`'s."""
        kept_tags = {ct.tag_id for ct in keep.tags}
        for ct in list(drop.tags):
            drop.tags.remove(ct)  # delete-orphan: gone unless `keep` adopts it
            if ct.tag_id not in kept_tags:
                keep.tags.append(ct)
        kept_guides = set(self.session.scalars(
            select(CustomerGuide.staff_id).where(CustomerGuide.customer_id == keep.id)))
        for relation in self.session.scalars(select(CustomerGuide).where(CustomerGuide.customer_id == drop.id)):
            if relation.staff_id in kept_guides:
                self.session.delete(relation)
            else:
                relation.customer_id = keep.id
        self.session.flush()
        skip = {"customers", "customer_tags", "customer_guides"}
        for table in Base.metadata.sorted_tables:
            if table.name not in skip and "customer_id" in table.c:
                self.session.execute(
                    table.update().where(table.c.customer_id == drop.id).values(customer_id=keep.id))

    def _find_identified(self, field: str, value: str, unionid: str | None) -> Customer | None:
        customer = self.find({field: value})
        if customer is None and unionid:
            customer = self.find({"unionid": unionid})
        return customer

    def _create(self, **identity: Any) -> Customer | None:
        """Insert a customer unless a concurrent transaction holds one with the same identity;
        the new customer, or None when one exists (the caller reads it).

        Two first messages of one customer may be processed at once (two web processes, two
        workers); whichever commits first creates the row and the other one reads it. A customer
        created here has no tags, journeys or deliveries yet: the listeners are told so, and
        nothing of it is read back (in a processor's batch, its new customers go in one INSERT with
        its other rows, not a dozen queries and flushes each)."""
        values = {k: v for k, v in identity.items() if v is not None}
        known = self._known()
        for name, value in values.items():
            known.pop((name, str(value)), None)  # no longer absent
        row = {**values, "first_seen_at": self.clock.now(), "attributes": {}}
        if bulk.active(self.session):
            # A processor's batch holds its customers' keys (advisory locks, SQLite's write lock): the
            # row goes in with the batch's others. Should another process create the same customer
            # meanwhile, the batch fails and is routed again, where this one is found.
            customer = insert_row(self.session, Customer, row)
        else:
            customer = insert_returning_if_absent(self.session, Customer, row)
        if customer is None:
            return None
        known.update({(name, str(value)): customer.id for name, value in values.items()})  # found with no query
        set_committed_value(customer, "tags", [])
        set_committed_value(customer, "guide", None)
        batch_reads(self.session).setdefault("customer_rows", []).append(customer)  # held for the transaction
        self.hooks.customers_created(self.session, [customer])
        return customer

    def create(self, **identity: Any) -> Customer:
        """A new customer known by these identities only, or by none yet (CSV imports: a phone number)."""
        customer = Customer(**{k: v for k, v in identity.items() if v is not None}, first_seen_at=self.clock.now(),
                            attributes={})
        self._known().clear()
        self.session.add(customer)
        self.session.flush()
        return customer

    # -- relations with guides ----------------------------------------------------------------

    def add_guide(self, customer: Customer, staff: Staff, state: str | None, at: datetime) -> CustomerGuide:
        relation = self._relation(customer, staff)
        if relation is None and insert_if_absent(self.session, CustomerGuide, {
                "customer_id": customer.id, "staff_id": staff.id, "state": state, "added_at": at}):
            relation = self._relation(customer, staff)
            assert relation is not None
        else:  # re-added after a deletion, or added by a concurrent transaction a moment ago
            relation = relation or self._relation(customer, staff)
            assert relation is not None
            relation.status, relation.ended_at, relation.added_at = "active", None, at
            relation.state = state or relation.state
        self.session.flush()
        # One owner: the first guide added stays the owner while that relation lasts; a later
        # guide joins as a follower (a transfer moves the ownership).
        if customer.guide_id is None or customer.guide_id == staff.id or not self._active_relation(customer):
            customer.guide_id = staff.id
        if customer.stage == "lost":
            self.change_stage(customer, "active", at, reason="guide_added")
        self.session.flush()
        return relation

    def _active_relation(self, customer: Customer) -> bool:
        """Whether the customer's owner is one of their active WeCom contacts."""
        return self.session.scalar(select(CustomerGuide.id).where(
            CustomerGuide.customer_id == customer.id, CustomerGuide.staff_id == customer.guide_id,
            CustomerGuide.status == "active")) is not None

    def change_stage(self, customer: Customer, stage: str, at: datetime, **data: Any) -> Event | None:
        """Move the customer to `stage` with a `stage_changed` event (playbooks trigger on it)."""
        if customer.stage == stage:
            return None
        previous, customer.stage = customer.stage, stage
        return self.record_event(customer, "stage_changed", at, {"from": previous, "to": stage, **data},
                                 source="system")

    def _relation(self, customer: Customer, staff: Staff) -> CustomerGuide | None:
        return self.session.scalar(
            select(CustomerGuide).where(CustomerGuide.customer_id == customer.id, CustomerGuide.staff_id == staff.id)
        )

    def end_guide(self, customer: Customer, staff: Staff, status: str, at: datetime) -> CustomerGuide | None:
        """`status` is `lost` (customer deleted the guide) or `removed` (guide deleted the customer)."""
        relation = self.session.scalar(
            select(CustomerGuide).where(CustomerGuide.customer_id == customer.id, CustomerGuide.staff_id == staff.id)
        )
        if relation is None:
            return None
        relation.status, relation.ended_at = status, at
        active = self.session.scalar(
            select(CustomerGuide).where(CustomerGuide.customer_id == customer.id, CustomerGuide.status == "active")
        )
        customer.guide_id = active.staff_id if active else None
        return relation

    # -- activity ----------------------------------------------------------------------------

    def record_inbound(self, customer: Customer | None, *, channel: str, msg_type: str, content: str,
                       at: datetime, callback_id: int | None = None, staff: Staff | None = None,
                       wechat_msgid: str | None = None, payload: dict[str, Any] | None = None) -> Message:
        message = insert_row(self.session, Message, {
            "customer_id": customer.id if customer else None, "staff_id": staff.id if staff else None,
            "direction": "in", "channel": channel, "msg_type": msg_type, "content": content, "status": "received",
            "callback_id": callback_id, "wechat_msgid": wechat_msgid, "payload": payload or {}, "created_at": at,
        })
        if customer is not None:
            self.touch(customer, at)
        if customer is not None and staff is None:
            self.hooks.message_received(self.session, customer, message)
        return message

    def record_event(self, customer: Customer, type_: str, at: datetime, data: Mapping[str, Any],
                     source: str, idempotency_key: str | None = None) -> Event:
        if customer in self.session.new:
            self.session.flush()  # the customer row exists before the event refers to it
        event = insert_row(self.session, Event, {"customer_id": customer.id, "type": type_, "occurred_at": at,
                                                 "data": dict(data), "source": source,
                                                 "idempotency_key": idempotency_key})
        self.hooks.event_recorded(self.session, customer, event)
        return event

    def update_profile(self, customer: Customer, *, name: str | None = None, birthday: date | None | bool = False,
                       attributes: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Set name, birthday (None clears, False leaves it) and custom fields (a None value removes one).

        Returns what changed, as {field: [old, new]}; the console and `PATCH /api/customers/<id>` both call this.
        """
        changes: dict[str, Any] = {}
        if name is not None:
            name = name.strip()
            if len(name) > 128:
                raise ProfileError("name", "at most 128 characters")
            if name != customer.name:
                changes["name"] = [customer.name, name]
                customer.name = name
        if birthday is not False:
            if birthday is not None and not isinstance(birthday, date):
                raise ProfileError("birthday", "expected a date (YYYY-MM-DD)")
            if birthday != customer.birthday:
                changes["birthday"] = [_iso(customer.birthday), _iso(birthday)]
                customer.birthday = birthday  # type: ignore[assignment]
        if attributes:
            merged = dict(customer.attributes or {})
            for key, value in attributes.items():
                key = str(key).strip()
                if not key or len(key) > MAX_ATTRIBUTE_KEY or not key.isprintable():
                    raise ProfileError(f"attributes.{key}", f"a field name of 1 to {MAX_ATTRIBUTE_KEY} characters")
                if value is not None and not isinstance(value, (str, int, float, bool)):
                    raise ProfileError(f"attributes.{key}", "expected text, a number, true/false or null")
                if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_VALUE:
                    raise ProfileError(f"attributes.{key}", f"at most {MAX_ATTRIBUTE_VALUE} characters")
                if value is None:
                    if key in merged:
                        changes[f"attributes.{key}"] = [merged.pop(key), None]
                elif merged.get(key) != value:
                    changes[f"attributes.{key}"] = [merged.get(key), value]
                    merged[key] = value
            if len(merged) > MAX_ATTRIBUTES:
                raise ProfileError("attributes", f"at most {MAX_ATTRIBUTES} custom fields")
            customer.attributes = merged
        if changes:
            self.session.flush()
        return changes

    @staticmethod
    def touch(customer: Customer, at: datetime) -> None:
        if customer.last_active_at is None or at > customer.last_active_at:
            customer.last_active_at = at


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
