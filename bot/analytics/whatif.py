"""What-if for a playbook: who would enter now, when each step would go out, over which channel.

Everything is counted by one SQL aggregate over the trigger's candidates: who is opted out, who is
already enrolled, who fails the audience condition, who enters, and per step who is over the daily
cap and which channel each entering customer would get, judged by their real reachability at the
step's time (bot.playbooks.reachability: windows from their last inbound messages, openid, guide).
The audience condition is compiled to SQL from its syntax tree (bot.analytics.audience); when some
part of it has no SQL form, it is evaluated in Python a batch of customers at a time, each batch
counted by the same aggregate, and the result says so.
"""

from __future__ import annotations

import logging
import time as timer
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, case, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.analytics.audience import condition_sql, has_tag
from bot.config import Config
from bot.models import Customer, Delivery, Enrolment, Event, Message
from bot.models.base import UTCDateTime
from bot.playbooks.engine import customer_context, plan_step, quiet_hours, tag_names
from bot.playbooks.reachability import (
    KF_CHANNEL,
    MP_CHANNEL,
    MP_EVENT_WINDOW,
    MP_WINDOW_EVENTS,
    UNREACHABLE,
    WINDOW,
    first_channel_sql,
)
from bot.playbooks.registry import current_version_row, parsed_version
from bot.playbooks.schema import CHANNEL_LABELS as STEP_CHANNEL_LABELS
from bot.playbooks.schema import Playbook, Step
from bot.playbooks.timing import step_due_time
from bot.playbooks.templates import EventContext, RenderError, compile_condition, evaluate, template_context
from bot.tagging.send_time import best_times

logger = logging.getLogger(__name__)

SAMPLE = 20
BATCH = 1000  # customers per batch when the condition is evaluated in Python
CAP_STATUSES = ("scheduled", "claimed")
CHANNEL_LABELS = {**STEP_CHANNEL_LABELS, UNREACHABLE: "无法触达"}


@dataclass
class StepForecast:
    step: str
    due: datetime | None
    deferred_by_quiet_hours: bool
    over_cap: int
    channels: dict[str, int]
    histogram: dict[str, int]
    note: str = ""
    best: bool = False  # at = "best": each customer at their own hour, due is the fallback's
    best_hours: dict[str, int] = field(default_factory=dict)  # customers per own best hour
    fallback: int = 0  # ... and how many have too little history, so get the fallback time


@dataclass
class WhatIf:
    playbook_id: str
    candidates: int
    excluded: dict[str, int]
    entering: int
    sample: list[dict[str, Any]]
    steps: list[StepForecast]
    condition_in_sql: bool
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """A step's timing, decided once for everyone (steps timed by a customer's own date are not)."""

    step: Step
    due: datetime | None
    deferred: bool = False
    note: str = ""


@dataclass
class _Tally:
    candidates: int = 0
    opted_out: int = 0
    enrolled: int = 0
    entering: int = 0
    over_cap: list[int] = field(default_factory=list)
    channels: list[Counter[str]] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        self.candidates += other.candidates
        self.opted_out += other.opted_out
        self.enrolled += other.enrolled
        self.entering += other.entering
        if not self.over_cap:
            self.over_cap, self.channels = list(other.over_cap), [Counter(c) for c in other.channels]
            return
        self.over_cap = [a + b for a, b in zip(self.over_cap, other.over_cap, strict=True)]
        self.channels = [a + b for a, b in zip(self.channels, other.channels, strict=True)]


def what_if(session: Session, config: Config, playbook_id: str, now: datetime) -> WhatIf:
    started = timer.perf_counter()
    row = current_version_row(session, playbook_id)
    if row is None:
        raise LookupError(f"没有剧本 {playbook_id}")
    playbook = parsed_version(row.content)
    tz = config.scheduler.tz
    dialect = session.get_bind().dialect.name
    conditions = [c for c in (playbook.trigger.schedule.audience if playbook.trigger.schedule else None,
                              playbook.audience.when) if c]
    translated = [condition_sql(c, dialect, now.astimezone(tz).date()) for c in conditions]
    in_sql = all(t is not None for t in translated)
    plans = [_plan(config, step, now) for step in playbook.steps]
    counter = _Counter(session, config, playbook, plans, now)
    notes = []
    entering_ids: Any
    if in_sql:
        matches = and_(true(), *translated)
        tally = counter.tally([], matches)
        entering_ids = counter.candidates().where(counter.eligible(), matches)
        sample = _sample(session, entering_ids)
    else:
        tally, entering_ids = _tally_in_python(session, config, playbook, counter, conditions, now)
        sample = _sample(session, select(Customer.id).where(Customer.id.in_(entering_ids[:SAMPLE] or [-1])))
        notes.append("人群条件无法翻译成 SQL，已按批逐个客户计算")
    best: dict[int, time] = {}
    if any(plan.step.best for plan in plans):  # each customer's own hour, as the engine will plan it
        best = best_times(session, entering_ids, now, tz, quiet_hours(config))
        for customer in sample:
            customer["best_at"] = best[customer["id"]].strftime("%H:%M") if customer["id"] in best else None
    excluded = {"已退订": tally.opted_out}
    rule = playbook.audience.reentry
    if rule != "always":
        excluded["正在旅程中" if rule == "after_exit" else "已参加过（只进入一次）"] = tally.enrolled
    if conditions:
        excluded["不符合人群条件"] = tally.candidates - tally.opted_out - tally.enrolled - tally.entering
    steps = [_forecast(plan, tally, i, tz) if not plan.step.best or plan.due is None else
             _forecast_best(session, config, plan, tally, i, best, counter.busy_among(plan.due, entering_ids), now)
             for i, plan in enumerate(plans)]
    return WhatIf(playbook.id, tally.candidates, {k: v for k, v in excluded.items() if v}, tally.entering, sample,
                  steps, in_sql, timer.perf_counter() - started, notes)


def _plan(config: Config, step: Step, now: datetime) -> _Plan:
    if step.of or step.on:
        return _Plan(step, None, note=f"发送时间取决于每位客户的 {step.of or step.on}")
    tz = config.scheduler.tz
    planned = plan_step(step, now, step_attributes_stub(), now, quiet_hours(config), tz)
    if planned.due_at is None or planned.skip_reason:
        return _Plan(step, None, note=planned.skip_reason)
    raw = step_due_time(step, now, tz, {}) or planned.due_at
    return _Plan(step, planned.due_at, deferred=planned.due_at > max(raw, now))


class _Counter:
    """The one aggregate query over the trigger's candidates, narrowed by extra clauses."""

    def __init__(self, session: Session, config: Config, playbook: Playbook, plans: list[_Plan],
                 now: datetime) -> None:
        self.session = session
        self.config = config
        self.playbook = playbook
        self.plans = plans
        self.now = now

    def candidates(self) -> Any:
        """Customers the trigger could fire for now (everyone, for events that could happen to anyone)."""
        trigger = self.playbook.trigger
        query = select(Customer.id)
        if trigger.inactive_days is not None:
            since = self.now - timedelta(days=trigger.inactive_days)
            quiet = Customer.last_active_at <= since
            if self._mostly(quiet):  # SQLite would walk the index and fetch nearly every row at random;
                # the same comparison behind a function (coalesce of the column with itself) is not
                # served by the index, so customers are scanned once in order
                quiet = func.coalesce(Customer.last_active_at, Customer.last_active_at) <= since
            query = query.where(quiet)
        elif trigger.stage_changed is not None:
            query = query.where(Customer.stage == trigger.stage_changed)
        elif trigger.tag_added is not None:
            query = query.where(has_tag(trigger.tag_added))
        return query

    def _mostly(self, clause: ColumnElement[bool]) -> bool:
        """Whether most customers match `clause`: then a plain scan of customers reads each page once,
        where SQLite, which has no statistics on a range, would search the index and then look every
        matching row up by id (at 100,000 customers that was twice the scan's time, and growing)."""
        if self.session.get_bind().dialect.name != "sqlite":
            return False
        matching = self.session.scalar(select(func.count()).select_from(Customer).where(clause)) or 0
        return matching * 4 > (self.session.scalar(select(func.count()).select_from(Customer)) or 0)

    def enrolled(self) -> ColumnElement[bool]:
        rule = self.playbook.audience.reentry
        if rule == "always":
            return literal(False)
        enrolments = select(Enrolment.customer_id).where(Enrolment.playbook_id == self.playbook.id)
        if rule == "after_exit":
            enrolments = enrolments.where(Enrolment.status == "active")
        return Customer.id.in_(enrolments)

    def eligible(self) -> ColumnElement[bool]:
        return and_(Customer.opted_out.is_(False), not_(self.enrolled()))

    def tally(self, narrowed: list[ColumnElement[bool]], matches: ColumnElement[bool]) -> _Tally:
        """Per candidate: opted out, enrolled, matching, and per step over the cap and the channel; the
        database counts each combination (a few dozen rows), Python adds them up."""
        def flag(clause: ColumnElement[bool]) -> Any:
            return case((clause, 1), else_=0)

        columns: list[Any] = [flag(Customer.opted_out.is_(True)), flag(self.enrolled()), flag(matches)]
        timed = [i for i, plan in enumerate(self.plans) if plan.due is not None]
        for i in timed:
            plan = self.plans[i]
            columns.append(flag(Customer.id.in_(self.busy(plan.due))))  # type: ignore[arg-type]
            columns.append(first_channel_sql(self._facts(plan.due), list(plan.step.channels),  # type: ignore[arg-type]
                                             plan.due, plan.step.template_id))
        query = self.candidates().with_only_columns(*(c.label(f"c{n}") for n, c in enumerate(columns)))
        flags = query.where(*narrowed).subquery()
        tally = _Tally(0, 0, 0, 0, [0] * len(self.plans), [Counter() for _ in self.plans])
        for *values, n in self.session.execute(select(*flags.c, func.count()).group_by(*flags.c)):
            opted, enrolled, matching, per_step = values[0], values[1], values[2], values[3:]
            tally.candidates += n
            if opted:
                tally.opted_out += n
            elif enrolled:
                tally.enrolled += n
            elif matching:
                tally.entering += n
                for k, i in enumerate(timed):
                    tally.over_cap[i] += n if per_step[2 * k] else 0
                    tally.channels[i][per_step[2 * k + 1]] += n
        return tally

    def busy_among(self, due: datetime, ids: Any) -> set[int]:
        """Which of `ids` (a select of ids, or a list) are over the cap on the due day."""
        if isinstance(ids, list):  # few are over the cap: no list of every id in the statement
            return set(self.session.scalars(self.busy(due))) & set(ids)
        return set(self.session.scalars(self.busy(due).where(Delivery.customer_id.in_(ids))))

    def busy(self, due: datetime) -> Any:
        """Customers whose sends on the due day already fill the daily cap: they wait a day."""
        tz = self.config.scheduler.tz
        start = datetime.combine(due.astimezone(tz).date(), datetime.min.time(), tz)
        end = start + timedelta(days=1)
        return (select(Delivery.customer_id)
                .where(or_(and_(Delivery.status.in_(CAP_STATUSES), Delivery.due_at >= start, Delivery.due_at < end),
                           and_(Delivery.status == "sent", Delivery.sent_at >= start, Delivery.sent_at < end),
                           and_(Delivery.status == "sent", Delivery.sent_at.is_(None), Delivery.due_at >= start,
                                Delivery.due_at < end)))
                .group_by(Delivery.customer_id).having(func.count() >= self.config.scheduler.cap_per_day))

    def _facts(self, due: datetime) -> Any:
        """Reachability columns at `due`, shaped as bot.playbooks.reachability's facts: identities from
        the customer row; a window counts as open (its last message at `due`) when the customer wrote
        on that channel within WINDOW before `due`, found among the recent messages only."""
        since = due - WINDOW

        def wrote(channel: str) -> Any:
            if since > self.now:  # no message can be from the future
                return literal(None, UTCDateTime())
            recent = select(Message.customer_id).where(Message.created_at >= since, Message.direction == "in",
                                                       Message.channel == channel)
            return case((Customer.id.in_(recent), literal(due, UTCDateTime())), else_=literal(None, UTCDateTime()))

        def opened_by_event() -> Any:  # a subscribe, menu click or QR scan within the minute before `due`
            event_since = due - MP_EVENT_WINDOW
            if event_since > self.now:
                return literal(None, UTCDateTime())
            recent = select(Event.customer_id).where(Event.occurred_at >= event_since,
                                                     Event.type.in_(MP_WINDOW_EVENTS))
            return case((Customer.id.in_(recent), literal(due, UTCDateTime())), else_=literal(None, UTCDateTime()))

        return SimpleNamespace(c=SimpleNamespace(opted_out=Customer.opted_out, external_userid=Customer.external_userid,
                                                 openid=Customer.openid, guide_id=Customer.guide_id,
                                                 last_kf_in=wrote(KF_CHANNEL), last_mp_in=wrote(MP_CHANNEL),
                                                 last_mp_event=opened_by_event()))


def _tally_in_python(session: Session, config: Config, playbook: Playbook, counter: _Counter,
                     conditions: list[str], now: datetime) -> tuple[_Tally, list[int]]:
    """The condition evaluated customer by customer, BATCH eligible customers at a time, each batch
    counted by the same aggregate; who is opted out or enrolled is counted once, in SQL."""
    compiled = [compile_condition(c) for c in conditions]
    local_now = now.astimezone(config.scheduler.tz)
    event = EventContext(playbook.trigger.kind, {}, now)
    base = counter.tally([], false())
    tally = _Tally(base.candidates, base.opted_out, base.enrolled, 0, [0] * len(base.over_cap),
                   [Counter() for _ in base.channels])
    entering: list[int] = []
    eligible, last_id = counter.candidates().where(counter.eligible()), 0
    while True:
        ids = eligible.where(Customer.id > last_id).order_by(Customer.id).limit(BATCH)
        batch = list(session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)).unique())
        if not batch:
            return tally, entering
        tags = tag_names(session, [c.id for c in batch])
        admitted = []
        for customer in batch:
            context = template_context(customer=customer_context(session, customer, tags.get(customer.id, ())),
                                       now=local_now, event=event, playbook=playbook)
            try:
                if all(evaluate(condition, **context) for condition in compiled):
                    admitted.append(customer.id)
            except RenderError:
                continue
        counted = counter.tally([Customer.id.in_([c.id for c in batch])], Customer.id.in_(admitted or [-1]))
        counted.candidates = counted.opted_out = counted.enrolled = 0
        tally.add(counted)
        entering.extend(admitted)
        last_id = batch[-1].id
        session.expunge_all()


def _sample(session: Session, ids: Any) -> list[dict[str, Any]]:
    query = select(Customer.id, Customer.name, Customer.stage).where(Customer.id.in_(ids.with_only_columns(
        Customer.id).order_by(Customer.id).limit(SAMPLE))).order_by(Customer.id)
    return [{"id": i, "name": n, "stage": s} for i, n, s in session.execute(query)]


def _forecast(plan: _Plan, tally: _Tally, index: int, tz: Any) -> StepForecast:
    if plan.due is None:
        return StepForecast(plan.step.id, None, False, 0, {}, {}, note=plan.note)
    over_cap = tally.over_cap[index]
    histogram: Counter[str] = Counter()
    histogram[_hour(plan.due, tz)] += tally.entering - over_cap
    if over_cap:
        histogram[_hour(plan.due + timedelta(days=1), tz)] += over_cap
    return StepForecast(plan.step.id, plan.due, plan.deferred, over_cap, dict(tally.channels[index]),
                        dict(sorted(histogram.items())))


def _forecast_best(session: Session, config: Config, plan: _Plan, tally: _Tally, index: int, best: dict[int, time],
                   busy: set[int], now: datetime) -> StepForecast:
    """An `at = "best"` step: the send-time histogram when each customer with enough history gets it at
    their own hour (as plan_step places it, quiet hours included) and the rest at the fallback time;
    customers per best hour; how many fall back. Customers over the daily cap go a day later."""
    assert plan.due is not None
    tz, quiet = config.scheduler.tz, quiet_hours(config)
    histogram: Counter[str] = Counter()
    hours: Counter[str] = Counter()
    dues: dict[time, datetime] = {}
    late = timedelta(days=1)
    for customer_id, at in best.items():
        if at not in dues:
            dues[at] = plan_step(plan.step, now, step_attributes_stub(), now, quiet, tz, at).due_at or plan.due
        histogram[_hour(dues[at] + late if customer_id in busy else dues[at], tz)] += 1
        hours[at.strftime("%H:%M")] += 1
    over_cap = tally.over_cap[index]
    fallback = tally.entering - len(best)
    fallback_busy = over_cap - len(busy & best.keys())
    if fallback - fallback_busy:
        histogram[_hour(plan.due, tz)] += fallback - fallback_busy
    if fallback_busy:
        histogram[_hour(plan.due + late, tz)] += fallback_busy
    return StepForecast(plan.step.id, plan.due, plan.deferred, over_cap, dict(tally.channels[index]),
                        dict(sorted(histogram.items())), best=True, best_hours=dict(sorted(hours.items())),
                        fallback=fallback)


def _hour(moment: datetime, tz: Any) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:00")


def step_attributes_stub() -> dict[str, Any]:
    """Timing by `after`/`at` needs no customer attribute; steps timed by one are reported per customer."""
    return {}


def whatif_json(result: WhatIf, tz: Any) -> dict[str, Any]:
    return {
        "playbook": result.playbook_id, "candidates": result.candidates, "excluded": result.excluded,
        "entering": result.entering, "sample": result.sample, "condition_in_sql": result.condition_in_sql,
        "seconds": round(result.seconds, 3), "notes": result.notes,
        "steps": [{"step": s.step, "due": s.due.astimezone(tz).strftime("%Y-%m-%d %H:%M") if s.due else None,
                   "deferred_by_quiet_hours": s.deferred_by_quiet_hours, "over_cap": s.over_cap,
                   "channels": s.channels, "histogram": s.histogram, "note": s.note,
                   **({"best_hours": s.best_hours, "fallback": s.fallback} if s.best else {})}
                  for s in result.steps],
    }

