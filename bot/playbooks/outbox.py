"""The dispatcher: claim due deliveries, re-check them, render, send, and mark the result.

One batch goes through three short transactions so that no database lock is held while WeChat
is called (SQLite transactions here take the write lock up front):

1. claim: due rows (and rows whose lease expired: a dead worker's claims) become `claimed` with
   a lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL so concurrent workers take disjoint batches;
2. prepare: re-check enrolment, opt-out, exit condition, holdout, quiet hours and caps.
   The frequency caps count what was sent and what other workers hold claimed (they are sending
   it). On PostgreSQL a worker also takes a transaction advisory lock per customer, without
   waiting: a customer another worker is deciding right now is handed back for the next tick, so
   two workers never both see room under the same customer's cap;
3. render each text (outside any transaction: a slow template never holds a lock, and one that
   the sandbox stops fails that delivery alone), send it and mark the result (only where this
   worker still holds the claim). A text longer than a channel takes is not sent there. A send through
   a channel WeChat de-duplicates (kf, by `msgid`) is marked in batches of `MARK_EVERY` or every
   `MARK_SECONDS`; any other send is marked at once, before the next message goes out.

A crash between sending and marking leaves those rows claimed; when the lease expires they are
sent again: kf repeats carry the same `msgid`, which WeChat (and the simulator) drop; for the
other channels at most the one message in flight at the crash can repeat.

A send whose answer does not come in time has an unknown outcome (WeChat may have delivered it).
No other channel is tried then: a retry must never become a second channel's message. A kf
delivery is tried again through kf alone, with the same `msgid` (`pinned_channel`); a channel
WeChat does not de-duplicate is marked `unknown` and not sent again, unless `[channels]
resend_after_timeout` names it (at least once instead of at most once).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from jinja2 import Template
from sqlalchemy import (ColumnElement, Select, and_, bindparam, cast, column, func, select, union_all, update,
                        values)
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.feedback.buttons import choices_for
from bot.feedback.service import cooling_customers
from bot.hooks import Hooks
from bot.jobs.claims import claim_batch
from bot.models import Customer, Delivery, Enrolment, Staff
from bot.ops import metrics
from bot.playbooks.channels import Channel, Outcome, Outgoing
from bot.playbooks.engine import HOLDOUT, PlaybookEngine, end_enrolment, event_context, lazy_metrics, tag_names
from bot.playbooks.lint import METRIC_NAMES
from bot.playbooks.links import link_for, tracked_url
from bot.playbooks.schema import Playbook, Step, text_limit
from bot.playbooks.templates import (CustomerContext, GuideContext, RenderError, compile_template, render,
    template_context)
from bot.playbooks.timing import FrequencyCap, next_send_time

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH_SIZE = 200  # a claim-and-prepare transaction of 200 holds the SQLite write lock for about 10 ms
MARK_EVERY = 100
MARK_SECONDS = 0.5
MAX_ATTEMPTS = 6
_CAP_LOOKBACK = timedelta(days=8)
CAP_LOCK_SPACE = 0x5379  # the first key of the dispatcher's per-customer advisory locks ("Sy")


def global_cap(config: Config) -> FrequencyCap:
    """All playbooks together send a customer at most `[scheduler] cap_per_day` / `cap_per_week`."""
    return FrequencyCap(per_day=config.scheduler.cap_per_day, per_week=config.scheduler.cap_per_week)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=1))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    deferred: int = 0
    unknown: int = 0  # no answer in time and not sent again: WeChat may or may not have delivered it
    awaiting: int = 0  # mass tasks created, for the guide to confirm
    released: int = 0  # handed back unsent: another worker was deciding the same customer
    by_channel: dict[str, int] = field(default_factory=dict)

    def add(self, other: DispatchStats) -> None:
        for item in fields(self):
            if item.name == "by_channel":
                for name, count in other.by_channel.items():
                    self.by_channel[name] = self.by_channel.get(name, 0) + count
            else:
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass(frozen=True)
class _Plan:
    """A prepared delivery: what to send and through which channels, in order; the text is
    rendered from `template` and `context` just before sending."""

    outgoing: Outgoing
    channels: list[str]
    attempts: int
    template: Template
    template_data: dict[str, Template]
    context: dict[str, Any]
    pinned: bool = False  # an earlier attempt's outcome is unknown: only its channel may be tried
    note: str = ""  # why an earlier channel is skipped (it failed after saying "sent")

    def rendered(self) -> Outgoing:
        """The outgoing message with its text rendered; RenderError when the template fails."""
        text = render(self.template, **self.context)
        data = {key: render(template, **self.context) for key, template in self.template_data.items()}
        return replace(self.outgoing, text=text, template_data=data)


class Outbox:
    def __init__(self, db: Database, config: Config, clock: Clock, channels: Mapping[str, Channel],
                 hooks: Hooks | None = None, *, worker_id: str | None = None, lease: timedelta = LEASE,
                 batch_size: int = BATCH_SIZE) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.channels = dict(channels)
        self.engine = PlaybookEngine(config, clock, hooks)
        self.worker_id = worker_id or new_worker_id()
        self.lease = lease
        self.batch_size = batch_size
        self._last_lease = datetime.min.replace(tzinfo=UTC)

    # -- the job -------------------------------------------------------------------------------

    def dispatch_due(self, max_batches: int | None = None) -> DispatchStats:
        """Claim and send due deliveries batch by batch until none is due (or `max_batches`)."""
        total = DispatchStats()
        batches = 0
        while max_batches is None or batches < max_batches:
            stats = DispatchStats()
            with self.db.session() as session:  # claim and prepare in one short transaction
                batch = self._claim(session, self.batch_size, stats)
                if batch is None:
                    break
                metrics.deliveries_claimed(stats.claimed)
                plans = self._prepare(session, batch, stats)
            self._send_all(plans, stats)
            total.add(stats)
            batches += 1
            if stats.released:  # due again at once: leave them to the next tick, not a busy loop
                break
        if total.claimed:
            logger.info("dispatched %s deliveries: %s sent, %s retried, %s failed, %s skipped, %s deferred",
                        total.claimed, total.sent, total.retried, total.failed, total.skipped, total.deferred)
        return total

    def claim(self, limit: int) -> list[int]:
        """Claim up to `limit` due deliveries (or ones whose lease expired); returns their ids."""
        with self.db.session() as session:
            batch = self._claim(session, limit, DispatchStats())
            return [] if batch is None else list(session.scalars(select(Delivery.id).where(batch)))

    def _claim(self, session: Session, limit: int, stats: DispatchStats) -> ColumnElement[bool] | None:
        """Claim a batch in one statement; returns the condition that finds exactly that batch.

        Each batch gets its own lease end, so "claimed by me with this lease" is the batch: the
        queries that follow need no list of ids.
        """
        now = self.clock.now()
        lease_until = max(now + self.lease, self._last_lease + timedelta(microseconds=1))
        self._last_lease = lease_until
        values = {"status": "claimed", "lease_until": lease_until, "claimed_by": self.worker_id, "updated_at": now}
        # Two claims rather than one with OR: each walks the (status, due_at) index in order and
        # stops at the limit, where an OR sorts every due row first (slow with a backlog).
        stats.claimed = claim_batch(  # rows a dead worker claimed: their lease has expired
            session, Delivery, where=[Delivery.status == "claimed", Delivery.lease_until < now],
            order_by=[Delivery.due_at, Delivery.id], limit=limit, values=values)
        if stats.claimed < limit:
            stats.claimed += claim_batch(
                session, Delivery, where=[Delivery.status == "scheduled", Delivery.due_at <= now],
                order_by=[Delivery.due_at, Delivery.id], limit=limit - stats.claimed, values=values)
        if not stats.claimed:
            return None
        return and_(Delivery.claimed_by == self.worker_id, Delivery.status == "claimed",
                    Delivery.lease_until == lease_until)

    def process(self, ids: list[int]) -> DispatchStats:
        """Prepare and send deliveries this worker has claimed (and still holds)."""
        stats = DispatchStats(claimed=len(ids))
        with self.db.session() as session:
            plans = self._prepare(session, self._held(ids), stats)
        self._send_all(plans, stats)
        return stats

    def _held(self, ids: list[int]) -> ColumnElement[bool]:
        """Those of `ids` this worker still holds."""
        return and_(Delivery.id.in_(ids), Delivery.claimed_by == self.worker_id, Delivery.status == "claimed")

    def _send_all(self, plans: list[_Plan], stats: DispatchStats) -> None:
        marks: list[dict[str, object]] = []
        last_mark = time.monotonic()
        for plan in plans:
            try:
                outgoing = plan.rendered()
            except RenderError as error:
                logger.error("delivery %s: %s", plan.outgoing.delivery_id, error)
                marks.append({"b_id": plan.outgoing.delivery_id, "attempts": plan.attempts + 1, "status": "failed",
                              "last_error": str(error)[:1000]})
                stats.failed += 1
                metrics.delivery_done(None, "failed", None)
                continue
            result = self._send(replace(plan, outgoing=outgoing), stats)
            marks.append(result)
            channel = self.channels.get(str(result["channel"]))
            if (not getattr(channel, "idempotent", False) or len(marks) >= MARK_EVERY
                    or time.monotonic() - last_mark >= MARK_SECONDS):
                self._mark(marks)
                marks, last_mark = [], time.monotonic()
        self._mark(marks)

    # -- 2. prepare ------------------------------------------------------------------------------

    def _prepare(self, session: Session, batch: ColumnElement[bool], stats: DispatchStats) -> list[_Plan]:
        """Re-check and render the deliveries `batch` selects; three queries whatever its size."""
        now = self.clock.now()
        plans: list[_Plan] = []
        # Each delivery with what it needs of its enrolment and customer (plain rows: ORM objects
        # cost more than they give here).
        deliveries = list(session.execute(
            select(Delivery.id, Delivery.enrolment_id, Delivery.customer_id, Delivery.playbook_id, Delivery.step_id,
                   Delivery.idempotency_key, Delivery.variant, Delivery.attempts, Delivery.due_at,
                   Delivery.pinned_channel, Delivery.fallback_from, Delivery.last_error,
                   Enrolment.status.label("enrolment_status"), Enrolment.version_id, Enrolment.context,
                   Enrolment.trigger_type, Enrolment.trigger_at,
                   Customer.name, Customer.external_userid, Customer.openid, Customer.opted_out, Customer.stage,
                   Customer.value_tier, Customer.attributes, Customer.birthday,
                   Staff.userid.label("guide_userid"), Staff.name.label("guide_name"))
            .join(Enrolment, Enrolment.id == Delivery.enrolment_id)
            .join(Customer, Customer.id == Delivery.customer_id)
            .outerjoin(Staff, Staff.id == Customer.guide_id)
            .where(batch).order_by(Delivery.due_at, Delivery.id)))
        customer_ids = select(Delivery.customer_id).where(batch)
        busy = self._lock_customers(session, customer_ids)
        sent_times = _sent_times(session, customer_ids, now - _CAP_LOOKBACK, self.worker_id, now)
        cooling = cooling_customers(session, customer_ids, now, self.config.feedback.not_interested_cap_days)
        tags = tag_names(session, customer_ids)
        for delivery in deliveries:
            if delivery.customer_id in busy:
                session.execute(update(Delivery).where(Delivery.id == delivery.id).values(
                    status="scheduled", claimed_by=None, lease_until=None, updated_at=now))
                stats.released += 1
                continue
            customer = _CustomerRow(delivery.customer_id, delivery.name, delivery.external_userid, delivery.openid,
                                    delivery.opted_out, delivery.guide_userid, delivery.guide_name)
            enrolment = _EnrolmentRow(delivery.enrolment_id, delivery.enrolment_status, delivery.version_id,
                                      delivery.context, delivery.trigger_type, delivery.trigger_at)
            customer_ctx = CustomerContext(
                name=customer.name, tags=tags.get(customer.id, ()), stage=delivery.stage,
                value_tier=delivery.value_tier, attributes=dict(delivery.attributes or {}), birthday=delivery.birthday,
                guide=GuideContext(customer.guide_name or "", customer.guide_userid or ""),
                metrics=lazy_metrics(session, customer.id, now))
            plan = self._prepare_one(session, delivery, enrolment, customer, customer_ctx, sent_times, now, stats,
                                     cooling=customer.id in cooling)
            if plan is not None:
                plans.append(plan)
        return plans

    def _lock_customers(self, session: Session, customer_ids: Select[Any]) -> set[int]:
        """PostgreSQL: lock each customer of the batch for this transaction, never waiting; returns
        the customers another worker holds (SQLite runs one write transaction at a time anyway)."""
        if session.get_bind().dialect.name != "postgresql":
            return set()
        customers = customer_ids.distinct().subquery()
        locked = session.execute(select(customers.c.customer_id,
                                        func.pg_try_advisory_xact_lock(CAP_LOCK_SPACE, customers.c.customer_id)))
        return {customer_id for customer_id, got in locked if not got}

    def _prepare_one(self, session: Session, delivery: Any, enrolment: Any, customer: Any,
                     customer_ctx: CustomerContext, sent_times: dict[int, list[tuple[str, datetime]]],
                     now: datetime, stats: DispatchStats, cooling: bool = False) -> _Plan | None:
        def change(**values: object) -> None:
            session.execute(update(Delivery).where(Delivery.id == delivery.id)
                            .values(lease_until=None, updated_at=now, **values))

        def close(status: str, reason: str) -> None:
            change(status=status, last_error=reason)
            setattr(stats, status, getattr(stats, status) + 1)

        if enrolment.status != "active":
            close("cancelled", f"enrolment {enrolment.status}")
            return None
        if customer.opted_out:
            close("skipped", "opted_out")
            return None
        playbook = self.engine.versions.get(session, enrolment.version_id)
        if self.engine.exit_condition_met(session, enrolment, customer_ctx):
            end_enrolment(session, session.get(Enrolment, enrolment.id), "exited", "exit condition", now)
            close("cancelled", "enrolment exited")
            return None
        if delivery.variant == HOLDOUT:
            close("skipped", HOLDOUT)
            return None
        step = playbook.step(delivery.step_id)
        send_at = self._send_time(playbook, delivery, sent_times.get(customer.id, []), now, cooling)
        if send_at is None:
            close("skipped", "frequency cap")
            return None
        if send_at > now:
            change(status="scheduled", due_at=send_at,
                   last_error=f"deferred to {send_at.isoformat()} (quiet hours or frequency cap)")
            stats.deferred += 1
            return None
        sent_times.setdefault(customer.id, []).append((delivery.playbook_id, now))  # counts for later rows
        metrics.dispatch_lateness(delivery.due_at, now)
        return self._plan(session, delivery, enrolment, customer, customer_ctx, playbook, step, now)

    def _send_time(self, playbook: Playbook, delivery: Any, sent: list[tuple[str, datetime]],
                   now: datetime, cooling: bool = False) -> datetime | None:
        """Now, or later for quiet hours and caps; None when the playbook's cap says skip.
        `cooling`: the customer said "not interested" lately, and gets fewer messages for a while."""
        tz = self.config.scheduler.tz
        all_times = [at for _, at in sent]
        caps = [(global_cap(self.config), all_times)]
        if cooling:
            caps.append((FrequencyCap(per_week=self.config.feedback.not_interested_cap_per_week), all_times))
        if playbook.caps and (playbook.caps.per_day or playbook.caps.per_week):
            own = FrequencyCap(playbook.caps.per_day, playbook.caps.per_week)
            own_times = [at for playbook_id, at in sent if playbook_id == delivery.playbook_id]
            if playbook.caps.over_cap == "skip" and not own.allows(own_times, self.engine.quiet.next_allowed(now), tz):
                return None
            caps.append((own, own_times))
        return next_send_time(now, self.engine.quiet, caps, tz)

    def _plan(self, session: Session, delivery: Any, enrolment: Any, customer: Any,
              customer_ctx: CustomerContext, playbook: Playbook, step: Step, now: datetime) -> _Plan:
        """What to render and send; the tracked link is created here, in the transaction."""
        link = None
        if step.link:
            link = tracked_url(self.config.bot.public_url, link_for(session, delivery.id, step.link).token)
        context = template_context(customer=customer_ctx, now=now.astimezone(self.config.scheduler.tz),
                                   event=event_context(enrolment), link=link or "", step=step, playbook=playbook)
        arm = step.arms()[0] if delivery.variant is None or not step.variants else \
            next((arm for arm in step.variants if arm.name == delivery.variant), step.variants[0])
        if any(name in arm.text for name in METRIC_NAMES):  # rendered after the session closes
            context["customer"] = replace(customer_ctx, metrics=dict(customer_ctx.metrics))
        outgoing = Outgoing(
            delivery_id=delivery.id, idempotency_key=delivery.idempotency_key, customer_id=customer.id,
            customer_name=customer.name, external_userid=customer.external_userid, openid=customer.openid,
            guide_userid=customer.guide_userid, playbook_name=playbook.name, text="",
            template_id=step.template_id, template_data={}, link=link,
            feedback=choices_for(session, delivery.id, step, self.config.bot.public_url),
        )
        return _Plan(outgoing, plan_channels(list(step.channels), delivery.pinned_channel, delivery.fallback_from),
                     delivery.attempts, arm.template,
                     {key: compile_template(source) for key, source in (step.template_data or {}).items()}, context,
                     pinned=delivery.pinned_channel is not None,
                     note=delivery.last_error if delivery.fallback_from else "")

    # -- 3. send and mark --------------------------------------------------------------------------

    def _send(self, plan: _Plan, stats: DispatchStats) -> dict[str, object]:
        """Try the channels in order; returns the row's new values."""
        outcome, used = Outcome("unreachable", None, "no channel listed"), None
        errors = [plan.note] if plan.note else []
        for name in plan.channels:
            channel = self.channels.get(name)
            if channel is None:
                errors.append(f"{name}: channel not available")
                continue
            limit = text_limit(name, bool(plan.outgoing.feedback))
            size = len(plan.outgoing.text.encode())
            if limit is not None and size > limit:
                outcome, used = Outcome("failed", None, f"text is {size} bytes, {name} takes at most {limit}"), name
                errors.append(f"{name}: {outcome.error}")
                continue
            outcome, used = channel.send(plan.outgoing), name
            if plan.pinned and outcome.status in ("unreachable", "failed"):
                # The first attempt may have arrived; this refusal cannot tell. Never another channel.
                outcome = Outcome("unknown", outcome.errcode, outcome.error, outcome.message_id)
            if outcome.status in ("sent", "awaiting", "retry", "unknown"):
                break
            errors.append(f"{name}: {outcome.error}")
        return self._result(plan, outcome, used, errors, stats)

    def _result(self, plan: _Plan, outcome: Outcome, channel: str | None, errors: list[str],
                stats: DispatchStats) -> dict[str, object]:
        now = self.clock.now()
        attempts = plan.attempts + 1
        values: dict[str, object] = {
            "b_id": plan.outgoing.delivery_id, "attempts": attempts, "channel": channel, "errcode": outcome.errcode,
            "status": "failed", "message_id": outcome.message_id, "last_error": "; ".join(errors),
        }
        if outcome.status in ("sent", "awaiting"):
            # An awaiting mass task counts for the frequency caps now; bot.playbooks.mass settles it.
            values.update(status=outcome.status, sent_at=now, pinned_channel=None)
            if outcome.status == "sent":
                stats.sent += 1
            else:
                stats.awaiting += 1
            stats.by_channel[channel or ""] = stats.by_channel.get(channel or "", 0) + 1
        elif outcome.status == "unknown":
            values.update(self._unknown(plan, outcome, channel, attempts, errors, now))
            if values["status"] == "unknown":
                stats.unknown += 1
            else:
                stats.retried += 1
        elif outcome.status == "retry" and attempts < MAX_ATTEMPTS:
            values.update(status="scheduled", due_at=now + retry_delay(attempts),
                          last_error=f"{channel}: {outcome.error} (attempt {attempts}, will retry)")
            stats.retried += 1
        else:
            final = errors if outcome.status != "retry" else [*errors, f"{channel}: {outcome.error}"]
            values.update(last_error="; ".join(final) or outcome.error)
            stats.failed += 1
            logger.warning("delivery %s failed: %s", plan.outgoing.delivery_id, values["last_error"])
        metrics.delivery_done(channel, "retry" if values["status"] == "scheduled" else str(values["status"]),
                              outcome.errcode)
        return values

    def _unknown(self, plan: _Plan, outcome: Outcome, channel: str | None, attempts: int, errors: list[str],
                 now: datetime) -> dict[str, object]:
        """A send with no answer in time: try the same channel again only where that is safe."""
        sender = self.channels.get(channel or "")
        idempotent = getattr(sender, "idempotent", False)
        resend = idempotent or channel in self.config.channels.resend_after_timeout
        if resend and attempts < MAX_ATTEMPTS and not (plan.pinned and outcome.errcode is not None):
            how = "the same msgid" if idempotent else "[channels] resend_after_timeout"
            return {"status": "scheduled", "due_at": now + retry_delay(attempts), "pinned_channel": channel,
                    "last_error": f"{channel}: {outcome.error} (outcome unknown, attempt {attempts}; "
                                  f"trying {channel} again, alone, with {how})"}
        logger.warning("delivery %s: outcome unknown on %s, not sent again", plan.outgoing.delivery_id, channel)
        # It may have reached the customer: it counts for the frequency caps as if it had.
        return {"status": "unknown", "sent_at": now, "pinned_channel": None,
                "last_error": "; ".join([*errors, f"{channel}: {outcome.error}"]) +
                              " (outcome unknown: WeChat may have delivered it; not sent again)"}

    def _mark(self, marks: list[dict[str, object]]) -> None:
        """Write send results, only on rows this worker still holds (a lost lease is not overwritten).

        Rows are grouped by the columns they change, so a batch of sends is one executemany that
        binds only what differs per row.
        """
        if not marks:
            return
        table = Delivery.__table__
        groups: dict[tuple[str, ...], list[dict[str, object]]] = defaultdict(list)
        for mark in marks:
            groups[tuple(sorted(mark))].append(mark)
        with self.db.session() as session:
            taken = 0
            for columns, rows in groups.items():
                if self.db.is_postgres:  # one statement for the group: UPDATE ... FROM (VALUES ...)
                    result = session.connection().execute(self._mark_from_values(table, columns, rows))
                    taken += len(rows) - result.rowcount if result.rowcount >= 0 else 0
                    continue
                statement = (update(table)
                             .where(table.c.id == bindparam("b_id"), table.c.status == "claimed",
                                    table.c.claimed_by == self.worker_id)
                             .values(lease_until=None, updated_at=self.clock.now(),
                                     **{name: bindparam(name) for name in columns if name != "b_id"}))
                result = session.connection().execute(statement, rows)
                taken += len(rows) - result.rowcount if result.rowcount >= 0 else 0
            if taken:  # our lease expired and another worker took rows over
                logger.warning("%s of %s deliveries were taken over by another worker before they were marked",
                               taken, len(marks))


    def _mark_from_values(self, table: Any, columns: tuple[str, ...], rows: list[dict[str, object]]) -> Any:
        """PostgreSQL: a group of marks as one UPDATE joined to a VALUES list of them."""
        names = ["b_id", *(name for name in columns if name != "b_id")]
        marks = values(*[column(name, table.c["id" if name == "b_id" else name].type) for name in names],
                       name="marks").data([tuple(row[name] for name in names) for row in rows])
        return (update(table)
                .where(table.c.id == marks.c.b_id, table.c.status == "claimed", table.c.claimed_by == self.worker_id)
                .values(lease_until=None, updated_at=self.clock.now(),
                        **{name: cast(marks.c[name], table.c[name].type) for name in names if name != "b_id"}))


class _CustomerRow(NamedTuple):
    """What sending needs to know of a customer."""

    id: int
    name: str
    external_userid: str | None
    openid: str | None
    opted_out: bool
    guide_userid: str | None
    guide_name: str | None


class _EnrolmentRow(NamedTuple):
    """What the dispatcher reads of an enrolment (ORM objects cost more than they give here)."""

    id: int
    status: str
    version_id: int
    context: dict[str, Any]
    trigger_type: str
    trigger_at: datetime


def plan_channels(channels: list[str], pinned: str | None, fallback_from: str | None) -> list[str]:
    """The channels to try: only the pinned one, or those after a channel that failed after "sent"."""
    if pinned:
        return [pinned]
    if fallback_from and fallback_from in channels:
        return channels[channels.index(fallback_from) + 1:]
    return channels


def _sent_times(session: Session, customer_ids: Select[Any], since: datetime, worker_id: str,
                now: datetime) -> dict[int, list[tuple[str, datetime]]]:
    """Recent sends per customer, as (playbook id, sent at), for the frequency caps; what another
    live worker holds claimed counts as sent now.

    One statement, so one snapshot: a row another worker marks sent meanwhile is seen either as
    claimed or as sent, never as neither."""
    times: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    columns = (Delivery.customer_id, Delivery.playbook_id, Delivery.sent_at)
    # Only sent rows have a sent_at, so no status test for them: that keeps the (customer_id,
    # sent_at) index in use. A UNION rather than an OR, which SQLite answers with a scan.
    sent = select(*columns).where(Delivery.customer_id.in_(customer_ids), Delivery.sent_at >= since)
    in_flight = select(*columns).where(Delivery.customer_id.in_(customer_ids), Delivery.status == "claimed",
                                       Delivery.claimed_by != worker_id, Delivery.lease_until >= now)
    for customer_id, playbook_id, sent_at in session.execute(union_all(sent, in_flight)):
        times[customer_id].append((playbook_id, sent_at or now))
    return times
