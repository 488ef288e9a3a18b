"""The timeline a playbook would give one customer: due times after quiet hours and caps,
the channel it would use, and the rendered texts. Behind `siyu playbook preview`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.models import Customer, Delivery
from bot.playbooks.channels import reachable_channels
from bot.playbooks.engine import customer_context, plan_step, quiet_hours, step_attributes
from bot.playbooks.links import tracked_url
from bot.playbooks.loader import load_playbook_dir
from bot.playbooks.outbox import global_cap
from bot.playbooks.registry import current_version_row, parsed_version
from bot.playbooks.schema import Playbook
from bot.playbooks.templates import SAMPLE_CUSTOMER, EventContext, RenderError, compile_template, render, template_context
from bot.playbooks.timing import FrequencyCap, next_send_time, step_due_time

logger = logging.getLogger(__name__)

WEEKDAYS = "一二三四五六日"


def _load(config: Config, db: Database, playbook_id: str) -> tuple[Playbook, str]:
    try:
        with db.session() as session:
            row = current_version_row(session, playbook_id)
            if row is not None:
                return parsed_version(row.content), f"version {row.version} in the database"
    except SQLAlchemyError:
        logger.debug("database not available for preview; reading files")
    playbook = load_playbook_dir(config.bot.playbooks_dir).playbooks.get(playbook_id)
    if playbook is None:
        raise LookupError(f"no playbook {playbook_id!r} in the database or in {config.bot.playbooks_dir}")
    return playbook, f"file in {config.bot.playbooks_dir} (not imported)"


def preview_lines(config: Config, db: Database, clock: Clock, playbook_id: str, *, customer_id: int | None = None,
                  event: Mapping[str, Any] | None = None, at: datetime | None = None) -> list[str]:
    tz = config.scheduler.tz
    playbook, source = _load(config, db, playbook_id)
    event = dict(event or {})
    now = clock.now()
    trigger_at = at or (datetime.fromisoformat(event["at"]) if event.get("at") else now)
    if trigger_at.tzinfo is None:
        trigger_at = trigger_at.replace(tzinfo=tz)
    data = event.get("data") if isinstance(event.get("data"), dict) else \
        {k: v for k, v in event.items() if k not in ("type", "at")}
    event_type = str(event.get("type") or playbook.trigger.event or playbook.trigger.kind)
    identities: dict[str, str | None] = {"external_userid": "sample", "openid": "sample", "guide_userid": "guide"}
    sent: list[tuple[str, datetime]] = []
    attributes: dict[str, Any] = {"birthday": SAMPLE_CUSTOMER.birthday, **data}
    customer_ctx = SAMPLE_CUSTOMER
    who = "a sample customer"
    if customer_id is not None:
        with db.session() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise LookupError(f"no customer with id {customer_id}")
            customer_ctx = customer_context(session, customer)
            identities = {"external_userid": customer.external_userid, "openid": customer.openid,
                          "guide_userid": customer.guide.userid if customer.guide else None}
            attributes = step_attributes(customer, data)
            sent = [(p, s) for p, s in session.execute(select(Delivery.playbook_id, Delivery.sent_at).where(
                Delivery.customer_id == customer_id, Delivery.status == "sent"))]
            who = f"customer {customer_id} ({customer.name or customer.external_userid or customer.openid})"
    quiet = quiet_hours(config)
    own = FrequencyCap(playbook.caps.per_day, playbook.caps.per_week) \
        if playbook.caps and (playbook.caps.per_day or playbook.caps.per_week) else None
    lines = [f"{playbook.id} 「{playbook.name}」 from {source}, for {who}",
             f"trigger {playbook.trigger.kind} ({event_type}) at {_local(trigger_at, tz)}; "
             f"quiet hours {config.scheduler.quiet_hours[0]}–{config.scheduler.quiet_hours[1]}"]
    link = tracked_url(config.bot.public_url, "<token>")
    context = template_context(customer=customer_ctx, now=max(now, trigger_at).astimezone(tz),
                               event=EventContext(event_type, data, trigger_at), link=link, playbook=playbook)
    for number, step in enumerate(playbook.steps, start=1):
        planned = plan_step(step, trigger_at, attributes, min(now, trigger_at), quiet, tz)
        if planned.skip_reason or planned.due_at is None:
            lines.append(f"{number}. {step.id}: skipped, {planned.skip_reason}")
            continue
        caps = [(global_cap(config), [s for _, s in sent])]
        own_times = [s for p, s in sent if p == playbook.id]
        if own is not None:
            if playbook.caps and playbook.caps.over_cap == "skip" and not own.allows(own_times, planned.due_at, tz):
                lines.append(f"{number}. {step.id}: skipped at {_local(planned.due_at, tz)} (frequency cap)")
                continue
            caps.append((own, own_times))
        due = next_send_time(planned.due_at, quiet, caps, tz)
        sent.append((playbook.id, due))
        reachable = reachable_channels(step.channels, template_id=step.template_id, **identities)
        channel = reachable[0] if reachable else "no channel can reach this customer"
        raw = step_due_time(step, trigger_at, tz, attributes) or due
        moved = "" if due == raw else f" (deferred from {_local(raw, tz)})"
        lines.append(f"{number}. {step.id}: {_local(due, tz)}{moved} via {channel}"
                     + (f"; fallback {', '.join(reachable[1:])}" if len(reachable) > 1 else ""))
        arms = step.arms()
        total = sum(arm.weight for arm in arms) + step.holdout
        for arm in arms:
            label = f"   [{arm.name} {arm.weight * 100 // total}%] " if step.variants else "   "
            lines.append(label + _render(arm.text, {**context, "step": step}).replace("\n", "\n   "))
        if step.holdout:
            lines.append(f"   [holdout {step.holdout * 100 // total}%] nothing is sent")
        for key, source_text in (step.template_data or {}).items():
            lines.append(f"   template {key}: {_render(source_text, {**context, 'step': step})}")
    return lines


def _render(source: str, context: dict[str, Any]) -> str:
    try:
        return render(compile_template(source), **context)
    except RenderError as error:
        return f"<render error: {error}>"


def _local(moment: datetime | None, tz: Any) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} 周{WEEKDAYS[local.weekday()]}"
