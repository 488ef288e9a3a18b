"""What-if for a playbook: who would enter now, when each step would go out, over which channel.

Counts come from SQL over the whole base (opted-out and already-enrolled customers removed with
the reason); the audience condition is translated to SQL when it has one of the usual shapes
('tag' in/not in customer.tags, customer.stage/value_tier ==/!= 'x', is_anniversary(birthday)),
and otherwise evaluated in Python batch by batch, as the engine does. Channels are judged by each
customer's real reachability at the step's time (bot.playbooks.reachability).
"""

from __future__ import annotations

import logging
import re
import time as timer
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import Customer, CustomerTag, Delivery, Enrolment, Tag
from bot.playbooks.engine import customer_context, plan_step, quiet_hours, tag_names
from bot.playbooks.reachability import UNREACHABLE, WINDOW, first_channel_sql, reach_facts
from bot.playbooks.registry import current_version_row, parsed_version
from bot.playbooks.schema import Playbook
from bot.playbooks.timing import step_due_time
from bot.playbooks.templates import EventContext, RenderError, compile_condition, evaluate, template_context
from bot.tagging.send_time import best_times

logger = logging.getLogger(__name__)

SAMPLE = 20
BATCH = 1000
CHANNEL_LABELS = {"kf": "微信客服", "mp_custom": "公众号客服消息", "mp_template": "公众号模板消息",
                  "wecom_mass": "企业微信群发", "guide_task": "导购任务", UNREACHABLE: "无法触达"}


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


def what_if(session: Session, config: Config, playbook_id: str, now: datetime) -> WhatIf:
    started = timer.perf_counter()
    row = current_version_row(session, playbook_id)
    if row is None:
        raise LookupError(f"没有剧本 {playbook_id}")
    playbook = parsed_version(row.content)
    tz = config.scheduler.tz
    today = now.astimezone(tz).date()
    base = _trigger_candidates(playbook, now)
    candidates = _count(session, base)
    excluded: dict[str, int] = {}
    opted = base.where(Customer.opted_out.is_(True))
    excluded["已退订"] = _count(session, opted)
    remaining = base.where(Customer.opted_out.is_(False))
    rule = playbook.audience.reentry
    if rule != "always":
        enrolled = exists(select(Enrolment.id).where(Enrolment.customer_id == Customer.id,
                                                     Enrolment.playbook_id == playbook.id,
                                                     *([Enrolment.status == "active"] if rule == "after_exit" else [])))
        excluded["正在旅程中" if rule == "after_exit" else "已参加过（只进入一次）"] = \
            _count(session, remaining.where(enrolled))
        remaining = remaining.where(~enrolled)
    conditions = [c for c in (playbook.trigger.schedule.audience if playbook.trigger.schedule else None,
                              playbook.audience.when) if c]
    translated = [condition_sql(c, session.get_bind().dialect.name, today) for c in conditions]
    in_sql = all(t is not None for t in translated)
    notes = []
    if in_sql:
        before = _count(session, remaining)
        for clause in translated:
            remaining = remaining.where(clause)
        entering_ids: Select[Any] | list[int] = remaining
        entering = _count(session, remaining)
        if conditions:
            excluded["不符合人群条件"] = before - entering
    else:
        ids = _evaluate_in_python(session, config, playbook, remaining, conditions, now)
        excluded["不符合人群条件"] = _count(session, remaining) - len(ids)
        entering_ids, entering = ids, len(ids)
        notes.append("人群条件无法翻译成 SQL，已逐个客户计算")
    id_select = entering_ids.with_only_columns(Customer.id) if not isinstance(entering_ids, list) else None
    sample = _sample(session, id_select, entering_ids if isinstance(entering_ids, list) else None)
    best: dict[int, time] = {}
    if any(step.best for step in playbook.steps):  # each customer's own hour, as the engine will plan it
        best = best_times(session, id_select if id_select is not None else entering_ids, now, tz, quiet_hours(config))
        for customer in sample:
            customer["best_at"] = best[customer["id"]].strftime("%H:%M") if customer["id"] in best else None
    steps = [_forecast(session, config, playbook, step, id_select, entering_ids, entering, now, best)
             for step in playbook.steps]
    return WhatIf(playbook.id, candidates, {k: v for k, v in excluded.items() if v}, entering, sample, steps,
                  in_sql, timer.perf_counter() - started, notes)


def _trigger_candidates(playbook: Playbook, now: datetime) -> Select[Any]:
    """Customers the trigger could fire for now (everyone, for events that could happen to anyone)."""
    trigger = playbook.trigger
    query = select(Customer.id)
    if trigger.inactive_days is not None:
        query = query.where(Customer.last_active_at <= now - timedelta(days=trigger.inactive_days))
    elif trigger.stage_changed is not None:
        query = query.where(Customer.stage == trigger.stage_changed)
    elif trigger.tag_added is not None:
        query = query.where(_has_tag(trigger.tag_added))
    return query


def _has_tag(name: str) -> Any:
    return Customer.id.in_(select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id)
                           .where(Tag.name == name))


_TAG = re.compile(r"""^(['"])(.+?)\1\s+(not\s+in|in)\s+customer\.tags$""")
_FIELD = re.compile(r"""^customer\.(stage|value_tier)\s*(==|!=)\s*(['"])(.*?)\3$""")
_ANNIVERSARY = re.compile(r"^is_anniversary\(\s*customer\.birthday\s*,\s*today\s*\)$")


def condition_sql(condition: str, dialect: str, today: Any) -> Any | None:
    """The condition as a SQL clause over customers, or None when it is not one of the usual shapes."""
    clauses = []
    for part in re.split(r"\s+and\s+", condition.strip()):
        part = part.strip()
        if match := _TAG.match(part):
            clause = _has_tag(match.group(2))
            clauses.append(~clause if match.group(3) != "in" else clause)
        elif match := _FIELD.match(part):
            column = getattr(Customer, match.group(1))
            clauses.append(column == match.group(4) if match.group(2) == "==" else column != match.group(4))
        elif _ANNIVERSARY.match(part):
            month_day = func.strftime("%m-%d", Customer.birthday) if dialect == "sqlite" \
                else func.to_char(Customer.birthday, "MM-DD")
            clauses.append(month_day == today.strftime("%m-%d"))
        else:
            return None
    return and_(*clauses)


def _evaluate_in_python(session: Session, config: Config, playbook: Playbook, remaining: Select[Any],
                        conditions: list[str], now: datetime) -> list[int]:
    compiled = [compile_condition(c) for c in conditions]
    local_now = now.astimezone(config.scheduler.tz)
    event = EventContext(playbook.trigger.kind, {}, now)
    admitted, last_id = [], 0
    while True:
        batch = list(session.scalars(select(Customer).where(Customer.id.in_(remaining.where(Customer.id > last_id)
                                                                            .order_by(Customer.id).limit(BATCH)))
                                     .order_by(Customer.id)).unique())
        if not batch:
            return admitted
        tags = tag_names(session, [c.id for c in batch])
        for customer in batch:
            context = template_context(customer=customer_context(session, customer, tags.get(customer.id, ())),
                                       now=local_now, event=event, playbook=playbook)
            try:
                if all(evaluate(condition, **context) for condition in compiled):
                    admitted.append(customer.id)
            except RenderError:
                continue
        last_id = batch[-1].id
        session.expunge_all()


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _ids_clause(id_select: Select[Any] | None, ids: list[int] | None) -> Any:
    return id_select if id_select is not None else (ids or [-1])


def _sample(session: Session, id_select: Select[Any] | None, ids: list[int] | None) -> list[dict[str, Any]]:
    query = select(Customer.id, Customer.name, Customer.stage).order_by(Customer.id).limit(SAMPLE)
    query = query.where(Customer.id.in_(id_select)) if id_select is not None else \
        query.where(Customer.id.in_((ids or [-1])[:SAMPLE]))
    return [{"id": i, "name": n, "stage": s} for i, n, s in session.execute(query)]


def _forecast(session: Session, config: Config, playbook: Playbook, step: Any, id_select: Select[Any] | None,
              entering_ids: Any, entering: int, now: datetime, best: dict[int, time]) -> StepForecast:
    tz = config.scheduler.tz
    quiet = quiet_hours(config)
    if step.of or step.on:
        return StepForecast(step.id, None, False, 0, {}, {}, note=f"发送时间取决于每位客户的 {step.of or step.on}")
    planned = plan_step(step, now, step_attributes_stub(), now, quiet, tz)
    due = planned.due_at
    if due is None or planned.skip_reason:
        return StepForecast(step.id, None, False, 0, {}, {}, note=planned.skip_reason)
    raw = step_due_time(step, now, tz, {}) or due
    ids = _ids_clause(id_select, entering_ids if isinstance(entering_ids, list) else None)
    # Caps: customers whose sends already fill the day's cap wait until the next day.
    day_start = datetime.combine(due.astimezone(tz).date(), datetime.min.time(), tz)
    busy = (select(Delivery.customer_id).where(Delivery.customer_id.in_(ids),
                                               Delivery.status.in_(("sent", "scheduled", "claimed")),
                                               func.coalesce(Delivery.sent_at, Delivery.due_at) >= day_start,
                                               func.coalesce(Delivery.sent_at, Delivery.due_at) < day_start
                                               + timedelta(days=1))
            .group_by(Delivery.customer_id).having(func.count() >= config.scheduler.cap_per_day))
    over_cap = _count(session, busy)
    facts = reach_facts(ids, due - WINDOW, now)
    channel = first_channel_sql(facts, list(step.channels), due, step.template_id)
    channels = {c: int(n) for c, n in session.execute(select(channel, func.count()).group_by(channel))}
    if step.best:
        spread, best_hours, fallback = _by_best_hour(session, step, best, set(session.scalars(busy)), entering,
                                                     over_cap, now, due, config)
        return StepForecast(step.id, due, due > max(raw, now), over_cap, channels, dict(sorted(spread.items())),
                            best=True, best_hours=dict(sorted(best_hours.items())), fallback=fallback)
    histogram: Counter[str] = Counter()
    histogram[_hour(due, tz)] += entering - over_cap
    if over_cap:
        histogram[_hour(due + timedelta(days=1), tz)] += over_cap
    return StepForecast(step.id, due, due > max(raw, now), over_cap, channels, dict(sorted(histogram.items())))


def _by_best_hour(session: Session, step: Any, best: dict[int, time], busy: set[int], entering: int, over_cap: int,
                  now: datetime, fallback_due: datetime, config: Config) -> tuple[Counter[str], Counter[str], int]:
    """An `at = "best"` step: the send-time histogram when each customer with enough history gets it at
    their own hour (as plan_step places it, quiet hours included) and the rest at the fallback time;
    customers per best hour; how many fall back. Customers over the daily cap go a day later."""
    tz, quiet = config.scheduler.tz, quiet_hours(config)
    histogram: Counter[str] = Counter()
    hours: Counter[str] = Counter()
    dues: dict[time, datetime] = {}
    late = timedelta(days=1)
    for customer_id, at in best.items():
        if at not in dues:
            dues[at] = plan_step(step, now, step_attributes_stub(), now, quiet, tz, at).due_at or fallback_due
        histogram[_hour(dues[at] + late if customer_id in busy else dues[at], tz)] += 1
        hours[at.strftime("%H:%M")] += 1
    fallback = entering - len(best)
    fallback_busy = over_cap - len(busy & best.keys())
    if fallback - fallback_busy:
        histogram[_hour(fallback_due, tz)] += fallback - fallback_busy
    if fallback_busy:
        histogram[_hour(fallback_due + late, tz)] += fallback_busy
    return histogram, hours, fallback


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

