"""剧本效果: a playbook's funnel per step, its A/B arms with 95% intervals, and its lift over the holdout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, distinct, exists, func, select
from sqlalchemy.orm import Session

from bot.analytics.stats import Lift, Proportion, lift
from bot.models import Delivery, Enrolment, Event, LinkClick, TrackedLink

HOLDOUT = "holdout"  # the engine's marker for a held-out customer's deliveries


@dataclass
class StepFunnel:
    step: str
    scheduled: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    clicked: int = 0
    replied: int = 0
    interested: int = 0  # feedback buttons: 想了解 answers under this step
    not_interested: int = 0
    errcodes: dict[str, int] = field(default_factory=dict)


@dataclass
class Arm:
    step: str
    variant: str
    conversion: Proportion


@dataclass
class Report:
    playbook_id: str
    entered: int
    statuses: dict[str, int]
    steps: list[StepFunnel]
    arms: list[Arm]
    lift: Lift


def playbook_report(session: Session, playbook_id: str) -> Report:
    """Counts by SQL aggregates over the playbook's enrolments and deliveries."""
    statuses = dict(session.execute(select(Enrolment.status, func.count()).where(
        Enrolment.playbook_id == playbook_id).group_by(Enrolment.status)).all())
    steps: dict[str, StepFunnel] = {}
    clicked = exists(select(LinkClick.id).join(TrackedLink, TrackedLink.id == LinkClick.link_id)
                     .where(TrackedLink.delivery_id == Delivery.id, TrackedLink.url.not_like("feedback:%")))
    rows = session.execute(
        select(Delivery.step_id, Delivery.status, func.count(), func.sum(case((Delivery.replied_at.is_not(None), 1),
                                                                              else_=0)),
               func.sum(case((clicked, 1), else_=0)))
        .where(Delivery.playbook_id == playbook_id).group_by(Delivery.step_id, Delivery.status))
    order = _step_order(session, playbook_id)
    for step_id, status, count, replied, clicks in rows:
        funnel = steps.setdefault(step_id, StepFunnel(step_id))
        if status in ("scheduled", "claimed"):
            funnel.scheduled += int(count)
        elif status in ("sent", "failed", "skipped", "cancelled"):
            setattr(funnel, status, getattr(funnel, status) + int(count))
        funnel.replied += int(replied or 0)
        funnel.clicked += int(clicks or 0)
    step, option = Event.data["step"].as_string(), Event.data["option"].as_string()
    for step_id, answer, count in session.execute(
            select(step, option, func.count()).where(Event.type == "feedback_clicked",
                                                     Event.data["playbook"].as_string() == playbook_id)
            .group_by(step, option)):
        if answer in ("interested", "not_interested"):
            funnel = steps.setdefault(step_id, StepFunnel(step_id))
            setattr(funnel, answer, getattr(funnel, answer) + int(count))
    for step_id, errcode, count in session.execute(
            select(Delivery.step_id, Delivery.errcode, func.count())
            .where(Delivery.playbook_id == playbook_id, Delivery.status == "failed")
            .group_by(Delivery.step_id, Delivery.errcode)):
        steps.setdefault(step_id, StepFunnel(step_id)).errcodes[str(errcode) if errcode is not None else "未知"] = \
            int(count)
    converted = case((Enrolment.status == "converted", 1), else_=0)
    arms = [Arm(step, variant, Proportion(int(conv or 0), int(n))) for step, variant, n, conv in session.execute(
        select(Delivery.step_id, Delivery.variant, func.count(distinct(Enrolment.id)), func.sum(converted))
        .join(Enrolment, Enrolment.id == Delivery.enrolment_id)
        .where(Delivery.playbook_id == playbook_id, Delivery.variant.is_not(None), Delivery.variant != HOLDOUT)
        .group_by(Delivery.step_id, Delivery.variant).order_by(Delivery.step_id, Delivery.variant))]
    held = exists(select(Delivery.id).where(Delivery.enrolment_id == Enrolment.id, Delivery.variant == HOLDOUT))
    flagged = select(case((held, 1), else_=0).label("held"), converted.label("converted")) \
        .where(Enrolment.playbook_id == playbook_id).subquery()
    groups = {bool(h): Proportion(int(conv or 0), int(n)) for h, n, conv in session.execute(
        select(flagged.c.held, func.count(), func.sum(flagged.c.converted)).group_by(flagged.c.held))}
    return Report(playbook_id, sum(statuses.values()), statuses,
                  sorted(steps.values(), key=lambda f: order.get(f.step, len(order))), arms,
                  lift(groups.get(False, Proportion(0, 0)), groups.get(True, Proportion(0, 0))))


def _step_order(session: Session, playbook_id: str) -> dict[str, int]:
    from bot.playbooks.loader import PlaybookError
    from bot.playbooks.registry import current_version_row, parsed_version

    row = current_version_row(session, playbook_id)
    if row is None or not row.content:
        return {}
    try:
        return {step.id: i for i, step in enumerate(parsed_version(row.content).steps)}
    except PlaybookError:  # an old version the validator now refuses only loses the ordering
        return {}


def report_json(report: Report) -> dict[str, Any]:
    def proportion(p: Proportion) -> dict[str, Any]:
        return {"successes": p.successes, "total": p.total, "rate": p.rate, "interval": p.interval}
    return {
        "playbook": report.playbook_id, "entered": report.entered, "statuses": report.statuses,
        "steps": [vars(step) for step in report.steps],
        "arms": [{"step": a.step, "variant": a.variant, **proportion(a.conversion)} for a in report.arms],
        "lift": {"treated": proportion(report.lift.treated), "holdout": proportion(report.lift.holdout),
                 "difference": report.lift.difference, "interval": report.lift.interval,
                 "relative": report.lift.relative, "enough_data": report.lift.enough_data},
    }
