"""Enrolment: customers enter playbooks on triggers and leave them on goals and exits.

The engine listens to `runtime.hooks` (it runs inside the transaction that recorded the event or
message), so an enrolment and all its scheduled deliveries commit together with their cause.
Sending is the outbox's business (bot.playbooks.outbox); nothing here calls WeChat.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, exists, insert, inspect, select, update
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Config
from bot.hooks import Hooks, batch_reads
from bot.models import Customer, CustomerTag, Delivery, Enrolment, Event, Message, Tag
from bot.playbooks.registry import ActivePlaybook, VersionCache, active_playbooks
from bot.playbooks.schema import Goal, Playbook, Step, Trigger
from bot.playbooks.templates import (CustomerContext, EventContext, GuideContext, LazyMetrics, RenderError, evaluate,
    template_context)
from bot.playbooks.timing import QuietHours, attribute_value, local_datetime, step_due_time
from bot.services.customers import CustomerService
from bot.guides.tasks import dismiss_for_customer, dismiss_for_enrolment
from bot.tagging.send_time import customer_best_time
from bot.tagging.triggers import says

logger = logging.getLogger(__name__)

# A step whose time had passed by more than this when the customer entered is skipped, not sent
# late: a "24 h before class" reminder makes no sense for a class booked an hour ahead.
LATE_GRACE = timedelta(hours=1)
# Replies within this long after a delivery count as replies to it.
REPLY_WINDOW = timedelta(hours=48)
HOLDOUT = "holdout"
# Why a journey ended when the customer tapped 不感兴趣 under one of its messages (bot.feedback):
# they do not enter that playbook again for [feedback] not_interested_cap_days.
NOT_INTERESTED = "feedback: not interested"
# A batch reads the deliveries sent this much before the reply window too: a callback retried
# a while after it arrived is still attributed from what was read.
PREFETCH_SLACK = timedelta(hours=1)
_ENROLMENTS, _SENT = "playbooks.active_enrolments", "playbooks.sent_deliveries"
ENDED = ("completed", "converted", "exited")
_NPS_SCORE = re.compile(r"^(10|[0-9])\s*分?\s*[。.!！~～]*$")


def quiet_hours(config: Config) -> QuietHours:
    start, end = (_parse_time(value) for value in config.scheduler.quiet_hours)
    return QuietHours(start, end, config.scheduler.tz)


def _parse_time(value: str) -> time:
    hour, _, minute = value.strip().partition(":")
    return time(int(hour), int(minute or 0))


# --- context for templates and conditions ------------------------------------------------------

def tag_names(session: Session, customer_ids: Iterable[int] | Select[Any]) -> dict[int, tuple[str, ...]]:
    """Customers' tags, read fresh (the tagger may have added one in this transaction); customers
    without tags are absent. `customer_ids` may be a subquery, which spares a list of ids."""
    ids = customer_ids if isinstance(customer_ids, Select) else list(customer_ids)
    found: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in session.execute(
            select(CustomerTag.customer_id, Tag.name).join(Tag, CustomerTag.tag_id == Tag.id)
            .where(CustomerTag.customer_id.in_(ids))):
        found[customer_id].append(name)
    return {customer_id: tuple(sorted(names)) for customer_id, names in found.items()}


def customer_context(session: Session, customer: Customer, tags: tuple[str, ...] | None = None,
                     now: datetime | None = None) -> CustomerContext:
    guide = customer.guide
    if tags is None and "tags" not in inspect(customer).unloaded:  # loaded and not expired: current
        tags = tuple(ct.tag.name for ct in customer.tags)
    if tags is None:
        tags = tag_names(session, [customer.id]).get(customer.id, ())
    return CustomerContext(
        name=customer.name, tags=tags, stage=customer.stage,
        value_tier=customer.value_tier, attributes=dict(customer.attributes or {}),
        guide=GuideContext(guide.name, guide.userid) if guide else GuideContext(), birthday=customer.birthday,
        metrics=lazy_metrics(session, customer.id, now),
    )


def lazy_metrics(session: Session, customer_id: int, now: datetime | None) -> LazyMetrics:
    """The customer's behaviour metrics (the tag rules' names), computed when a condition or
    template first reads one, in `session`."""
    def compute() -> dict[str, Any]:
        from bot.tagging.behaviour import compute_metrics

        customer = session.get(Customer, customer_id)
        if customer is None:
            return {}
        moment = now or datetime.now(UTC)
        return asdict(compute_metrics(session, [customer], moment)[customer_id])

    return LazyMetrics(compute)


def event_context(enrolment: Enrolment) -> EventContext:
    context = enrolment.context or {}
    return EventContext(type=context.get("type", enrolment.trigger_type), data=context.get("data") or {},
                        at=enrolment.trigger_at)


def step_attributes(customer: Customer, data: Mapping[str, Any]) -> dict[str, Any]:
    """Date attributes for `of`/`on`: event data over customer attributes and the birthday."""
    return {**(customer.attributes or {}), "birthday": customer.birthday, **data}


# --- pure decisions ------------------------------------------------------------------------

def trigger_matches(trigger: Trigger, event_type: str, data: Mapping[str, Any]) -> bool:
    """Whether a recorded event enrols customers into a playbook with this trigger."""
    kind = trigger.kind
    if kind == "event":
        return event_type == trigger.event
    if kind == "tag_added":
        return event_type == "tag_added" and data.get("tag") == trigger.tag_added
    if kind == "keyword":  # a tag the tagger assigned by keyword; raw word lists match messages
        return (isinstance(trigger.keyword, str) and event_type == "tag_added"
                and data.get("source") == "keyword" and data.get("tag") == trigger.keyword)
    if kind == "stage_changed":
        return (event_type == "stage_changed" and data.get("to") == trigger.stage_changed
                and (trigger.from_stage is None or data.get("from") == trigger.from_stage))
    if kind == "contact_added":
        return event_type == "contact_added" and (trigger.state is None or data.get("state") == trigger.state)
    if kind == "subscribed":
        return event_type == "subscribed"
    if kind == "feedback":  # a click on a feedback button (bot.feedback)
        return (event_type == "feedback_clicked" and data.get("option") == trigger.feedback
                and (trigger.playbook is None or data.get("playbook") == trigger.playbook))
    return False


def normalise_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def keyword_hit(words: Iterable[str], text: str) -> bool:
    """Read as the tagger reads: 「暂时不需要预约」 does not say 预约, 「大约多少钱」 does not say 约."""
    return says(words, text)


def nps_score(text: str) -> int | None:
    """A 0–10 score from a reply such as "9", "１０" or "8分"; None for anything else."""
    match = _NPS_SCORE.match(normalise_text(text).strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    due_at: datetime | None
    skip_reason: str = ""


def plan_step(step: Step, trigger_at: datetime, attributes: Mapping[str, Any], now: datetime,
              quiet: QuietHours, tz: tzinfo, best_at: time | None = None) -> PlannedStep:
    """When a step goes out: its timing rule, its `late` rule when entered after it, then quiet
    hours by its `quiet_hours` rule (never silently after the date it counts down to).

    A step with `at = "best"` uses `best_at`, the customer's own best hour, when there is one.
    """
    if step.best and best_at is not None:
        step = step.model_copy(update={"at": best_at})
    due = step_due_time(step, trigger_at, tz, attributes)
    if due is None:
        return PlannedStep(step, None, f"missing date attribute {step.of or step.on!r}")
    if due < now:
        late_by = now - due
        if step.late == "skip" or (step.late is None and late_by > LATE_GRACE):
            return PlannedStep(step, due, f"due {due.isoformat()} had passed when the customer entered")
        due = now
    allowed = quiet.next_allowed(due)
    if allowed == due or step.quiet_hours == "ignore":
        return PlannedStep(step, allowed)
    deadline = _counted_to(step, trigger_at, tz, attributes)
    if step.quiet_hours == "skip" or deadline is None:
        return PlannedStep(step, due, f"quiet hours would move it from {due.isoformat()} to {allowed.isoformat()}")
    earlier = quiet.last_allowed_before(due)
    if earlier < now:
        return PlannedStep(step, due, f"quiet hours until {allowed.isoformat()} and no earlier time is left")
    return PlannedStep(step, earlier)


def _counted_to(step: Step, trigger_at: datetime, tz: tzinfo, attributes: Mapping[str, Any]) -> datetime | None:
    """The date a before/of step counts down to (the class, the appointment)."""
    if step.before is None or step.of is None:
        return None
    value = attribute_value(attributes.get(step.of), tz)
    if isinstance(value, datetime):
        return value
    return None if value is None else local_datetime(value, time(0, 0), tz)


def goal_deadline(goal: Goal | None, enrolled_at: datetime, attributes: Mapping[str, Any],
                  tz: tzinfo) -> datetime | None:
    """When the goal window closes: `within` after the trigger, or after the `from` date."""
    if goal is None or goal.within is None:
        return None
    start: datetime = enrolled_at
    if goal.from_attribute is not None:
        value = attribute_value(attributes.get(goal.from_attribute), tz)
        if isinstance(value, datetime):
            start = value
        elif value is not None:
            start = local_datetime(value, time(0, 0), tz)
        else:
            logger.warning("goal window counted from entering: date attribute %r is missing", goal.from_attribute)
    return start + goal.within


def enrolment_goal_deadline(goal: Goal | None, enrolled_at: datetime, context: Mapping[str, Any] | None) -> \
        datetime | None:
    """The goal deadline stored at entry (older enrolments: `within` after entering)."""
    stored = (context or {}).get("goal_until")
    if stored:
        return datetime.fromisoformat(stored)
    return enrolled_at + goal.within if goal is not None and goal.within is not None else None


def settle_time(plan: Iterable[PlannedStep], now: datetime, goal_until: datetime | None) -> datetime:
    """The earliest an enrolment can be finished: its last step due and its goal window closed."""
    times = [now, *(planned.due_at for planned in plan if planned.due_at is not None and not planned.skip_reason)]
    if goal_until is not None:
        times.append(goal_until)
    return max(times)


@dataclass(frozen=True)
class Entry:
    """A customer about to enter a playbook, with every step planned; nothing written yet."""

    customer_id: int
    active: ActivePlaybook
    trigger_type: str
    trigger_at: datetime
    data: dict[str, Any]
    plan: tuple[PlannedStep, ...]
    variants: dict[str, str]
    settle_after: datetime
    goal_until: datetime | None = None

    @property
    def context(self) -> dict[str, Any]:
        """What the enrolment stores of its cause (and its goal deadline)."""
        return _enrolment_context(self.trigger_type, self.data, self.goal_until)


def _enrolment_context(trigger_type: str, data: dict[str, Any], goal_until: datetime | None) -> dict[str, Any]:
    context: dict[str, Any] = {"type": trigger_type, "data": data}
    if goal_until is not None:
        context["goal_until"] = goal_until.isoformat()
    return context


# --- the engine ----------------------------------------------------------------------------

class PlaybookEngine:
    """Enrols customers on triggers; converts or exits them on goals and exit conditions."""

    def __init__(self, config: Config, clock: Clock, hooks: Hooks | None = None) -> None:
        self.config = config
        self.clock = clock
        self.hooks = hooks or Hooks()
        self.tz = config.scheduler.tz
        self.quiet = quiet_hours(config)
        self.versions = VersionCache()

    def install(self, hooks: Hooks) -> None:
        hooks.on_event.append(self.on_event)
        hooks.on_message.append(self.on_message)
        hooks.on_batch.append(self.prefetch)
        hooks.on_created.append(self.created)

    def prefetch(self, session: Session, customers: Sequence[Customer]) -> None:
        """For a batch of inbound messages: the customers' active journeys and the deliveries
        their replies may answer, in two queries instead of two per message."""
        ids = sorted({customer.id for customer in customers})
        enrolments: dict[int, list[Enrolment]] = {customer_id: [] for customer_id in ids}
        since = self.clock.now() - REPLY_WINDOW - PREFETCH_SLACK
        sent: dict[int, list[Delivery]] = {customer_id: [] for customer_id in ids}
        if ids:  # none known yet (a batch of new customers): `created` adds them as they come
            for enrolment in session.scalars(select(Enrolment).where(
                    Enrolment.customer_id.in_(ids), Enrolment.status == "active").order_by(Enrolment.id)):
                enrolments[enrolment.customer_id].append(enrolment)
            for delivery in session.scalars(select(Delivery).where(
                    Delivery.customer_id.in_(ids), Delivery.status == "sent", Delivery.sent_at >= since)):
                sent[delivery.customer_id].append(delivery)
        reads = batch_reads(session)
        reads[_ENROLMENTS] = enrolments
        reads[_SENT] = (since, sent)

    @staticmethod
    def created(session: Session, customers: Sequence[Customer]) -> None:
        """Customers created in this batch have no journeys or deliveries: none to read for them."""
        reads = batch_reads(session)
        if _ENROLMENTS in reads:
            reads[_ENROLMENTS].update({customer.id: [] for customer in customers})
        since, sent = reads.get(_SENT, (None, {}))
        if since is not None:
            sent.update({customer.id: [] for customer in customers})

    # -- hooks -------------------------------------------------------------------------------

    def on_event(self, session: Session, customer: Customer, event: Event) -> None:
        """Goals and exits first (the new event may end a journey), then triggers."""
        if event.type == "opted_out":  # 退订: guides are not to send what the playbooks suggested either
            dismiss_for_customer(session, customer.id, self.clock.now())
        self.reach_goals(session, customer, event.type, event.occurred_at)
        self.check_exits(session, customer)
        for active in active_playbooks(session):
            if trigger_matches(active.playbook.trigger, event.type, event.data or {}):
                self.enrol(session, customer, active, trigger_type=event.type, trigger_at=event.occurred_at,
                           data=event.data or {}, event_id=event.id)

    def on_message(self, session: Session, customer: Customer, message: Message) -> None:
        """A customer wrote: attribute the reply, record an NPS score, match raw keywords."""
        if message.direction != "in":
            return
        at = message.created_at or self.clock.now()
        self.attribute_reply(session, customer, message, at)
        self.reach_goals(session, customer, "message_received", at)
        for active in active_playbooks(session):
            trigger = active.playbook.trigger
            if isinstance(trigger.keyword, list) and keyword_hit(trigger.keyword, message.content or ""):
                self.enrol(session, customer, active, trigger_type="keyword", trigger_at=at,
                           data={"text": message.content, "message_id": message.id})

    # -- entering ------------------------------------------------------------------------------

    def best_time(self, session: Session, customer_id: int, playbook: Playbook, now: datetime) -> time | None:
        """The customer's best hour, looked up only for a playbook with an `at = "best"` step."""
        if not any(step.best for step in playbook.steps):
            return None
        return customer_best_time(session, customer_id, now, self.tz, self.quiet)

    def enrol(self, session: Session, customer: Customer, active: ActivePlaybook, *, trigger_type: str,
              trigger_at: datetime, data: Mapping[str, Any], event_id: int | None = None,
              tags: tuple[str, ...] | None = None) -> Enrolment | None:
        """Enter the customer and schedule every step, in the caller's transaction; None if not allowed.
        `tags`: the customer's tags when the caller has already read them (scans read a chunk's at once)."""
        playbook = active.playbook
        now = self.clock.now()
        if customer.opted_out:
            logger.debug("customer %s opted out; not entering %s", customer.id, playbook.id)
            return None
        if not self.may_enter(session, customer.id, playbook):
            return None
        if not self._audience_admits(session, customer, playbook, trigger_type, trigger_at, data, tags, now):
            return None
        attributes = step_attributes(customer, data)
        best_at = self.best_time(session, customer.id, playbook, now)
        plan = [plan_step(step, trigger_at, attributes, now, self.quiet, self.tz, best_at) for step in playbook.steps]
        goal_until = goal_deadline(playbook.exit.goal, now, attributes, self.tz)
        enrolment = Enrolment(customer_id=customer.id, playbook_id=playbook.id, version_id=active.version_id,
                              status="active", trigger_type=trigger_type, trigger_at=trigger_at, event_id=event_id,
                              context=_enrolment_context(trigger_type, _jsonable(data), goal_until), enrolled_at=now,
                              settle_after=settle_time(plan, now, goal_until))
        session.add(enrolment)
        session.flush()
        batch_reads(session).get(_ENROLMENTS, {}).get(customer.id, []).append(enrolment)
        enrolment.variants = self._choose_variants(playbook, customer.id)
        session.add_all([self._delivery(enrolment, planned, now) for planned in plan])
        logger.info("customer %s entered playbook %s (enrolment %s, trigger %s)",
                    customer.id, playbook.id, enrolment.id, trigger_type)
        return enrolment

    def _audience_admits(self, session: Session, customer: Customer, playbook: Playbook, trigger_type: str,
                         trigger_at: datetime, data: Mapping[str, Any], tags: tuple[str, ...] | None,
                         now: datetime) -> bool:
        """The playbook's `[audience] when`, if any, holds for this customer and trigger."""
        condition = playbook.audience.condition
        if condition is None:
            return True
        context = template_context(customer=customer_context(session, customer, tags, now), now=now.astimezone(self.tz),
                                   event=EventContext(trigger_type, dict(data), trigger_at), playbook=playbook)
        try:
            return bool(evaluate(condition, **context))
        except RenderError as error:
            logger.error("playbook %s: audience condition failed for customer %s: %s",
                         playbook.id, customer.id, error)
            return False

    # -- entering many at once (scans) ------------------------------------------------------------

    def entry(self, session: Session, customer: Customer, active: ActivePlaybook, *, trigger_type: str,
              trigger_at: datetime, data: Mapping[str, Any], tags: tuple[str, ...]) -> Entry | None:
        """What `enrol` would write for this customer, decided without writing (a scan decides a
        chunk in a read-only transaction, then writes it with `enter_many` in a short one)."""
        playbook, now = active.playbook, self.clock.now()
        if customer.opted_out or not self._audience_admits(session, customer, playbook, trigger_type, trigger_at,
                                                           data, tags, now):
            return None
        attributes = step_attributes(customer, data)
        best_at = self.best_time(session, customer.id, playbook, now)
        plan = tuple(plan_step(step, trigger_at, attributes, now, self.quiet, self.tz, best_at)
                     for step in playbook.steps)
        goal_until = goal_deadline(playbook.exit.goal, now, attributes, self.tz)
        return Entry(customer.id, active, trigger_type, trigger_at, _jsonable(data), plan,
                     self._choose_variants(playbook, customer.id), settle_time(plan, now, goal_until), goal_until)

    def enter_many(self, session: Session, entries: Sequence[Entry]) -> int:
        """Write the entries the re-entry rules still allow: two bulk INSERTs, not a flush per
        customer, so the write lock is held for milliseconds. Returns how many entered."""
        entries = self._admissible(session, entries)
        if not entries:
            return 0
        read_ahead = batch_reads(session).get(_ENROLMENTS, {})
        for entry in entries:
            read_ahead.pop(entry.customer_id, None)  # read again when asked: new rows, no objects
        now = self.clock.now()
        ids = _inserted_enrolment_ids(session, [
            {"customer_id": e.customer_id, "playbook_id": e.active.playbook.id, "version_id": e.active.version_id,
             "status": "active", "trigger_type": e.trigger_type, "trigger_at": e.trigger_at,
             "context": e.context, "variants": e.variants, "enrolled_at": now,
             "settle_after": e.settle_after, "reason": "", "updated_at": now}
            for e in entries])
        session.execute(insert(Delivery), [
            {"enrolment_id": enrolment_id, "customer_id": e.customer_id, "playbook_id": e.active.playbook.id,
             "step_id": planned.step.id, "occurrence": 0, "idempotency_key": f"{enrolment_id}:{planned.step.id}:0",
             "due_at": planned.due_at or now, "status": "skipped" if planned.skip_reason else "scheduled",
             "last_error": planned.skip_reason, "variant": e.variants.get(planned.step.id),
             "expects_reply": planned.step.expects_reply, "attempts": 0, "created_at": now, "updated_at": now}
            for enrolment_id, e in zip(ids, entries, strict=True) for planned in e.plan])
        logger.info("%s customers entered playbook %s (trigger %s)", len(entries),
                    entries[0].active.playbook.id, entries[0].trigger_type)
        return len(entries)

    def _admissible(self, session: Session, entries: Sequence[Entry]) -> list[Entry]:
        """Entries the re-entry rule allows, checked for all of them in one query per playbook."""
        kept: list[Entry] = []
        by_playbook: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            by_playbook[e.active.playbook.id].append(e)
        for playbook_id, group in by_playbook.items():
            declined = self._declined(session, [e.customer_id for e in group], playbook_id)
            group = [e for e in group if e.customer_id not in declined]
            rule = group[0].active.playbook.audience.reentry if group else "always"
            if rule == "always":
                kept.extend(group)
                continue
            query = select(Enrolment.customer_id).where(
                Enrolment.customer_id.in_([e.customer_id for e in group]), Enrolment.playbook_id == playbook_id)
            if rule == "after_exit":
                query = query.where(Enrolment.status == "active")
            inside = set(session.scalars(query))
            kept.extend(e for e in group if e.customer_id not in inside)
        return kept

    def may_enter(self, session: Session, customer_id: int, playbook: Playbook) -> bool:
        """The re-entry rule: never (once ever), after_exit (not while active), always; and not
        while the customer's 不感兴趣 to this playbook is recent."""
        if self._declined(session, [customer_id], playbook.id):
            logger.debug("customer %s said not interested to %s lately; not entering", customer_id, playbook.id)
            return False
        rule = playbook.audience.reentry
        if rule == "always":
            return True
        query = select(Enrolment.id).where(Enrolment.customer_id == customer_id,
                                           Enrolment.playbook_id == playbook.id)
        if rule == "after_exit":
            query = query.where(Enrolment.status == "active")
        return not session.scalar(select(exists(query)))

    def _declined(self, session: Session, customer_ids: list[int], playbook_id: str) -> set[int]:
        """Those customers whose journey in this playbook ended lately with 不感兴趣."""
        days = self.config.feedback.not_interested_cap_days
        if days <= 0:
            return set()
        return set(session.scalars(select(Enrolment.customer_id).where(
            Enrolment.customer_id.in_(customer_ids), Enrolment.playbook_id == playbook_id,
            Enrolment.status == "exited", Enrolment.reason == NOT_INTERESTED,
            Enrolment.ended_at >= self.clock.now() - timedelta(days=days))))

    @staticmethod
    def _choose_variants(playbook: Playbook, customer_id: int) -> dict[str, str]:
        """Arms drawn per customer and playbook, so every re-entry gets the same ones. A customer held
        out at any step is held out of the whole playbook: none of its messages, on every entry."""
        seed = variant_seed(customer_id, playbook.id)
        chosen = {}
        for step in playbook.steps:
            if step.variants or step.holdout:
                arm = step.choose_variant(seed)
                chosen[step.id] = arm.name if arm is not None else HOLDOUT
        if HOLDOUT in chosen.values():
            return {step.id: HOLDOUT for step in playbook.steps}
        return chosen

    @staticmethod
    def _delivery(enrolment: Enrolment, planned: PlannedStep, now: datetime) -> Delivery:
        step = planned.step
        return Delivery(
            enrolment_id=enrolment.id, customer_id=enrolment.customer_id, playbook_id=enrolment.playbook_id,
            step_id=step.id, occurrence=0, idempotency_key=f"{enrolment.id}:{step.id}:0",
            due_at=planned.due_at or now, status="skipped" if planned.skip_reason else "scheduled",
            last_error=planned.skip_reason, variant=enrolment.variants.get(step.id), expects_reply=step.expects_reply,
        )

    # -- leaving -------------------------------------------------------------------------------

    def active_enrolments(self, session: Session, customer_id: int) -> list[Enrolment]:
        read = batch_reads(session).get(_ENROLMENTS, {}).get(customer_id)
        if read is not None:
            return [enrolment for enrolment in read if enrolment.status == "active"]
        return list(session.scalars(select(Enrolment).where(
            Enrolment.customer_id == customer_id, Enrolment.status == "active").order_by(Enrolment.id)))

    def reach_goals(self, session: Session, customer: Customer, event_type: str, at: datetime) -> None:
        """A goal event within its window converts the enrolment and cancels what is left."""
        for enrolment in self.active_enrolments(session, customer.id):
            goal = self.versions.get(session, enrolment.version_id).exit.goal
            if goal is None or event_type not in goal.names:
                continue
            until = enrolment_goal_deadline(goal, enrolment.enrolled_at, enrolment.context)
            if until is not None and at > until:
                continue
            end_enrolment(session, enrolment, "converted", f"goal {event_type}", self.clock.now())

    def check_exits(self, session: Session, customer: Customer) -> None:
        """Exit every active enrolment whose `[exit] when` has become true."""
        enrolments = self.active_enrolments(session, customer.id)
        if not enrolments:
            return
        customer_ctx = customer_context(session, customer, now=self.clock.now())
        for enrolment in enrolments:
            if self.exit_condition_met(session, enrolment, customer_ctx):
                end_enrolment(session, enrolment, "exited", "exit condition", self.clock.now())

    def exit_condition_met(self, session: Session, enrolment: Enrolment, customer: CustomerContext) -> bool:
        playbook = self.versions.get(session, enrolment.version_id)
        condition = playbook.exit.condition
        if condition is None:
            return False
        context = template_context(customer=customer, now=self.clock.now().astimezone(self.tz),
                                   event=event_context(enrolment), playbook=playbook)
        try:
            return evaluate(condition, **context)
        except RenderError as error:
            logger.error("playbook %s: exit condition failed for enrolment %s: %s",
                         playbook.id, enrolment.id, error)
            return False

    # -- replies -------------------------------------------------------------------------------

    def attribute_reply(self, session: Session, customer: Customer, message: Message, at: datetime) -> None:
        """The latest delivery sent to this customer within the reply window gets the reply."""
        since, sent = batch_reads(session).get(_SENT, (None, {}))
        if since is not None and customer.id in sent and at - REPLY_WINDOW >= since:
            answered = [d for d in sent[customer.id] if at - REPLY_WINDOW <= d.sent_at <= at]
            delivery = max(answered, key=lambda d: (d.sent_at, d.id), default=None)
        else:
            delivery = session.scalar(
                select(Delivery).where(Delivery.customer_id == customer.id, Delivery.status == "sent",
                                       Delivery.sent_at >= at - REPLY_WINDOW, Delivery.sent_at <= at)
                .order_by(Delivery.sent_at.desc(), Delivery.id.desc()).limit(1))
        if delivery is None:
            return
        if delivery.replied_at is None:
            delivery.replied_at, delivery.reply_message_id = at, message.id
        if delivery.expects_reply == "nps":
            self._record_nps(session, customer, delivery, message, at)

    def _record_nps(self, session: Session, customer: Customer, delivery: Delivery, message: Message,
                    at: datetime) -> None:
        score = nps_score(message.content or "")
        if score is None:
            return
        answered = session.scalar(select(exists(select(Event.id).where(
            Event.customer_id == customer.id, Event.type == "nps_answered", Event.occurred_at >= delivery.sent_at))))
        if answered:
            return
        delivery.replied_at, delivery.reply_message_id = at, message.id
        CustomerService(session, self.clock, self.hooks).record_event(
            customer, "nps_answered", at,
            {"score": score, "delivery_id": delivery.id, "playbook": delivery.playbook_id, "step": delivery.step_id,
             "message_id": message.id},
            source="system")


def variant_seed(customer_id: int, playbook_id: str) -> str:
    """What A/B arms and the holdout are drawn from: the same customer and playbook, the same draw."""
    return f"{customer_id}:{playbook_id}"


def end_enrolment(session: Session, enrolment: Enrolment, status: str, reason: str, now: datetime) -> None:
    """Close an enrolment and cancel its deliveries not yet claimed; unless it simply ran its
    course, the follow-up tasks it gave guides are no longer needed either."""
    enrolment.status, enrolment.reason, enrolment.ended_at = status, reason, now
    session.execute(update(Delivery).where(Delivery.enrolment_id == enrolment.id, Delivery.status == "scheduled")
                    .values(status="cancelled", last_error=f"enrolment {status}: {reason}", updated_at=now))
    if status != "completed":
        dismiss_for_enrolment(session, enrolment.id, now)
    logger.info("enrolment %s %s (%s)", enrolment.id, status, reason)


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """Event data as JSON will store it (datetimes as ISO text)."""
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Mapping):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return value
    return convert(dict(data))


def _inserted_enrolment_ids(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert enrolments; returns their ids in the order of `rows`.

    Asking for the ids in parameter order makes SQLAlchemy insert one row per statement on
    SQLite (it has no sentinel to sort a multi-row RETURNING by): 100 statements inside a scan's
    write transaction. Each row's (customer, playbook) is unique within a scan's chunk, so the
    ids are read back by that key from multi-row INSERTs instead; only a call with the same key
    twice takes the ordered path."""
    keys = [(row["customer_id"], row["playbook_id"]) for row in rows]
    if len(set(keys)) < len(keys):
        return list(session.scalars(insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True), rows))
    returned = {(customer_id, playbook_id): enrolment_id for enrolment_id, customer_id, playbook_id in session.execute(
        insert(Enrolment).returning(Enrolment.id, Enrolment.customer_id, Enrolment.playbook_id), rows)}
    return [returned[key] for key in keys]
