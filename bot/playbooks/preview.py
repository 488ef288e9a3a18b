"""The timeline a playbook would give one customer: whether they may enter, due times after
quiet hours and caps, the channel that would really reach them, goal and exit windows, and the
rendered texts. Behind `siyu playbook preview`; it reads and never writes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.models import Customer, Delivery, Event
from bot.playbooks.engine import customer_context, goal_deadline, plan_step, quiet_hours, step_attributes
from bot.playbooks.links import tracked_url
from bot.playbooks.loader import PlaybookError, load_playbook_dir, load_playbook_file
from bot.feedback.service import cooling_customers
from bot.playbooks.outbox import global_cap
from bot.playbooks.reachability import WINDOW, Reach, reach_of, usable
from bot.playbooks.registry import current_version_row, parsed_version
from bot.playbooks.schema import Playbook
from bot.playbooks.templates import (SAMPLE_CUSTOMER, CustomerContext, EventContext, RenderError, compile_template,
    evaluate, render, template_context)
from bot.playbooks.timing import FrequencyCap, next_send_time, step_due_time
from bot.tagging.send_time import customer_best_time

logger = logging.getLogger(__name__)

WEEKDAYS = "一二三四五六日"


class PreviewError(LookupError):
    """A preview that cannot be made: unknown playbook, customer, or a bad file; one line."""


def _load(config: Config, db: Database, playbook_id: str) -> tuple[Playbook, str]:
    if playbook_id.endswith(".toml") or Path(playbook_id).is_file():
        try:
            return load_playbook_file(playbook_id), f"file {playbook_id}"
        except PlaybookError as error:
            raise PreviewError(f"{playbook_id} has errors; run `siyu playbook check {playbook_id}`:\n{error}") from None
    try:
        with db.session() as session:
            row = current_version_row(session, playbook_id)
            if row is not None:
                return parsed_version(row.content), f"version {row.version} in the database"
    except SQLAlchemyError:
        logger.debug("database not available for preview; reading files")
    playbook = load_playbook_dir(config.bot.playbooks_dir).playbooks.get(playbook_id)
    if playbook is None:
        raise PreviewError(f"no playbook {playbook_id!r} in the database or in {config.bot.playbooks_dir} "
                           "(give a file path to preview a file anywhere)")
    return playbook, f"file in {config.bot.playbooks_dir} (not imported)"


@dataclass
class _Who:
    """The customer the preview is for: a sample, or a real one read from the database."""

    context: CustomerContext = SAMPLE_CUSTOMER
    label: str = "a sample customer"
    customer: Customer | None = None
    sent: list[tuple[str, datetime]] = field(default_factory=list)
    event: dict[str, Any] | None = None  # the customer's real trigger event, if any


def _real_event(session: Any, customer_id: int, playbook: Playbook) -> dict[str, Any] | None:
    """The customer's latest event of the playbook's trigger type (for an event trigger)."""
    if playbook.trigger.kind != "event":
        return None
    row = session.scalar(select(Event).where(Event.customer_id == customer_id, Event.type == playbook.trigger.event)
                         .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(1))
    return None if row is None else {"type": row.type, "data": dict(row.data or {}), "at": row.occurred_at}


def preview_lines(config: Config, db: Database, clock: Clock, playbook_id: str, *, customer_id: int | None = None,
                  event: Mapping[str, Any] | None = None, at: datetime | None = None) -> list[str]:
    tz = config.scheduler.tz
    playbook, source = _load(config, db, playbook_id)
    now = clock.now()
    with db.session() as session:
        who = _Who()
        if customer_id is not None:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise PreviewError(f"no customer with id {customer_id}")
            context = customer_context(session, customer, now=now)
            who = _Who(replace(context, metrics=dict(context.metrics)),
                       f"customer {customer_id} ({customer.name or customer.external_userid or customer.openid})",
                       customer,
                       [(p, s) for p, s in session.execute(select(Delivery.playbook_id, Delivery.sent_at).where(
                           Delivery.customer_id == customer_id, Delivery.status == "sent"))],
                       None if event else _real_event(session, customer_id, playbook))
        chosen = dict(event or who.event or {})
        trigger_at = at or _moment(chosen.get("at"), tz) or now
        data = chosen.get("data") if isinstance(chosen.get("data"), dict) else \
            {k: v for k, v in chosen.items() if k not in ("type", "at")}
        event_type = str(chosen.get("type") or playbook.trigger.event or playbook.trigger.kind)
        attributes = step_attributes(who.customer, data) if who.customer is not None else \
            {"birthday": SAMPLE_CUSTOMER.birthday, **data}
        lines = [f"{playbook.id} 「{playbook.name}」 from {source}, for {who.label}",
                 f"trigger {playbook.trigger.kind} ({event_type}) at {_local(trigger_at, tz)}"
                 + (" (the customer's latest such event)" if who.event and not event else "")
                 + f"; quiet hours {config.scheduler.quiet_hours[0]}–{config.scheduler.quiet_hours[1]}"]
        event_ctx = EventContext(event_type, data, trigger_at)
        base = template_context(customer=who.context, now=max(now, trigger_at).astimezone(tz), event=event_ctx,
                                link=tracked_url(config.bot.public_url, "<token>"), playbook=playbook)
        lines += _entry_lines(playbook, base, who)
        lines += _window_lines(playbook, trigger_at, attributes, tz)
        lines += _step_lines(config, session, playbook, who, base, trigger_at, attributes, now)
        session.rollback()  # preview writes nothing
    return lines


def _entry_lines(playbook: Playbook, context: dict[str, Any], who: _Who) -> list[str]:
    lines = []
    for label, condition in (("audience", playbook.audience.condition), ("exit", playbook.exit.condition)):
        if condition is None:
            continue
        try:
            holds = evaluate(condition, **context)
        except RenderError as error:
            lines.append(f"{label}: cannot be judged: {error}")
            continue
        if label == "audience":
            lines.append(f"audience: {who.label} {'passes' if holds else 'FAILS'} `{playbook.audience.when}`"
                         + ("" if holds else ": would not enter"))
        elif holds:
            lines.append(f"exit: `{playbook.exit.when}` already holds: {who.label} would exit before any step")
        else:
            lines.append(f"exit: when `{playbook.exit.when}` becomes true "
                         "(checked on every event and before each step)")
    if who.customer is not None and who.customer.opted_out:
        lines.append("opted out (退订): would not enter")
    return lines


def _window_lines(playbook: Playbook, trigger_at: datetime, attributes: Mapping[str, Any], tz: Any) -> list[str]:
    goal = playbook.exit.goal
    if goal is None:
        return []
    until = goal_deadline(goal, trigger_at, attributes, tz)
    names = " or ".join(goal.names)
    if until is None:
        return [f"goal: {names} at any time converts the journey"]
    start = f"from {goal.from_attribute}" if goal.from_attribute else "from entering"
    return [f"goal: {names} until {_local(until, tz)} ({start}) converts the journey"]


def _step_lines(config: Config, session: Any, playbook: Playbook, who: _Who, context: dict[str, Any],
                trigger_at: datetime, attributes: Mapping[str, Any], now: datetime) -> list[str]:
    tz = config.scheduler.tz
    quiet = quiet_hours(config)
    sent = list(who.sent)
    own = FrequencyCap(playbook.caps.per_day, playbook.caps.per_week) \
        if playbook.caps and (playbook.caps.per_day or playbook.caps.per_week) else None
    lines = []
    if who.customer is not None and who.customer.id in cooling_customers(
            session, [who.customer.id], now, config.feedback.not_interested_cap_days):
        per_week = config.feedback.not_interested_cap_per_week
        cooling_cap = FrequencyCap(per_week=per_week)
        lines.append(f"said 不感兴趣 lately: at most {per_week} message(s) a week from all playbooks")
    else:
        cooling_cap = None
    best_at = None
    if who.customer is not None and any(step.best for step in playbook.steps):
        best_at = customer_best_time(session, who.customer.id, max(now, trigger_at), tz, quiet)
    for number, step in enumerate(playbook.steps, start=1):
        planned = plan_step(step, trigger_at, attributes, min(now, trigger_at), quiet, tz, best_at)
        if planned.skip_reason or planned.due_at is None:
            lines.append(f"{number}. {step.id}: skipped, {planned.skip_reason}")
            continue
        caps = [(global_cap(config), [s for _, s in sent])]
        if cooling_cap is not None:
            caps.append((cooling_cap, [s for _, s in sent]))
        own_times = [s for p, s in sent if p == playbook.id]
        if own is not None:
            if playbook.caps and playbook.caps.over_cap == "skip" and not own.allows(own_times, planned.due_at, tz):
                lines.append(f"{number}. {step.id}: skipped at {_local(planned.due_at, tz)} (frequency cap)")
                continue
            caps.append((own, own_times))
        due = next_send_time(planned.due_at, quiet, caps, tz)
        sent.append((playbook.id, due))
        timed = step.model_copy(update={"at": best_at}) if step.best and best_at else step
        raw = step_due_time(timed, trigger_at, tz, attributes) or due
        moved = "" if due == raw else f" (deferred from {_local(raw, tz)})"
        if step.best:
            moved += (f" (the customer's best hour, {best_at:%H:%M})" if best_at
                      else f" (fallback {step.at:%H:%M}: too little history for a best hour)")
        lines.append(f"{number}. {step.id}: {_local(due, tz)}{moved} {_channel_text(session, who, step, due)}")
        shares = dict(step.split())
        for arm in step.arms():
            label = f"   [{arm.name} {_percent(shares[arm.name])}] " if step.variants or step.holdout else "   "
            lines.append(label + _render(arm.text, {**context, "step": step}).replace("\n", "\n   "))
        if step.holdout:
            lines.append(f"   [holdout {_percent(step.holdout)}] nothing is sent (of the whole playbook)")
        for key, source_text in (step.template_data or {}).items():
            lines.append(f"   template {key}: {_render(source_text, {**context, 'step': step})}")
        if step.feedback is not None:
            lines.append("   buttons: " + " ".join(f"[{label}]" for _, label in step.feedback.options()))
    return lines


def _channel_text(session: Any, who: _Who, step: Any, due: datetime) -> str:
    if who.customer is None:
        return f"via {step.channels[0]} (a real customer: --customer shows which channel reaches them)"
    reach = reach_of(session, who.customer)
    verdicts = [(channel, usable(channel, reach, due, step.template_id)) for channel in step.channels]
    used = next((channel for channel, ok in verdicts if ok), None)
    passed = [channel for channel, _ in verdicts[:[c for c, _ in verdicts].index(used)]] if used else step.channels
    why = "; ".join(f"{channel}: {_why_not(channel, reach, due, step.template_id)}" for channel in passed)
    if used is None:
        return f"— no channel can reach this customer then ({why})"
    return f"via {used} ({_why(used, reach, due)})" + (f"; not {why}" if why else "")


def _why(channel: str, reach: Reach, at: datetime) -> str:
    if channel == "kf" and reach.last_kf_in:
        return f"within 48 h of their last 微信客服 message, {reach.last_kf_in.isoformat(timespec='minutes')}"
    if channel == "mp_custom" and reach.last_mp_in and reach.last_mp_in >= at - WINDOW:
        return f"within 48 h of their last 公众号 message, {reach.last_mp_in.isoformat(timespec='minutes')}"
    if channel == "mp_custom" and reach.last_mp_event:
        return ("within 1 minute of their subscribe, menu click or QR scan, "
                f"{reach.last_mp_event.isoformat(timespec='seconds')} (3 messages at most)")
    return {"mp_template": "template message to the follower", "wecom_mass": "mass message, once the guide confirms",
            "guide_task": "follow-up task for the guide"}.get(channel, "reachable")


def _why_not(channel: str, reach: Reach, at: datetime, template_id: str | None) -> str:
    """Why a channel cannot reach the customer at `at` (for preview's explanation)."""
    if reach.opted_out:
        return "opted out"
    if channel in ("kf", "mp_custom"):
        label, identity, last = ("微信客服", reach.external_userid, reach.last_kf_in) if channel == "kf" else \
            ("公众号", reach.openid, reach.last_mp_in)
        if not identity:
            return f"not a {label} contact"
        event = reach.last_mp_event if channel == "mp_custom" else None
        opened_by_event = (f"; their subscribe, menu click or QR scan at {event.isoformat(timespec='seconds')} "
                           "opened it for 1 minute only") if event else ""
        if last is None:
            return f"the customer never wrote through {label}{opened_by_event}"
        return (f"{label} window closed (last message {last.isoformat(timespec='minutes')}, over 48 h before"
                f"{opened_by_event})")
    if channel == "mp_template":
        return "not a follower of the Official Account" if not reach.openid else "no template_id"
    if channel == "wecom_mass":
        return "no WeCom contact with an owning guide"
    if channel == "guide_task":
        return "no owning guide"
    return "unknown channel"


def _moment(value: Any, tz: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise PreviewError(f"event at {value!r} is not an ISO 8601 time like 2026-03-12T19:00") from None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _render(source: str, context: dict[str, Any]) -> str:
    try:
        return render(compile_template(source), **context)
    except (RenderError, ValueError) as error:
        return f"<render error: {error}>"


def _percent(share: float) -> str:
    return f"{share:.1f}".rstrip("0").rstrip(".") + "%"


def _local(moment: datetime | None, tz: Any) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} 周{WEEKDAYS[local.weekday()]}"

