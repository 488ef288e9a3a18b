"""剧本效果: a playbook's funnel per step, its A/B arms with 95% intervals, and its lift over the holdout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.analytics.playbook_rollups import HOLDOUT, report_rows
from bot.analytics.sqltime import SqlTime
from bot.analytics.stats import Lift, Proportion, lift
from bot.config import SchedulerConfig


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


def playbook_report(session: Session, playbook_id: str, tz: ZoneInfo | None = None) -> Report:
    """Sums of the playbook's per-day rollups and of the raw rows they do not hold yet
    (bot/analytics/playbook_rollups.py); `tz` must be the rollups job's (the scheduler's) zone."""
    sql = SqlTime(session.get_bind().dialect.name, tz or ZoneInfo(SchedulerConfig().timezone))
    statuses: dict[str, int] = {}
    steps: dict[str, StepFunnel] = {}
    arms: dict[tuple[str, str], list[int]] = {}
    groups = {False: [0, 0], True: [0, 0]}  # held out -> [enrolments, converted]
    for kind, step_id, status, variant, errcode, rows, replied, clicked, converted in sorted(
            report_rows(session, sql, playbook_id), key=lambda row: tuple(str(v) for v in row[:5])):
        rows, replied, clicked, converted = int(rows or 0), int(replied or 0), int(clicked or 0), int(converted or 0)
        if kind == "enrolment":
            statuses[status] = statuses.get(status, 0) + rows
            group = groups[variant == HOLDOUT]
            group[0] += rows
            group[1] += rows if status == "converted" else 0
        elif kind == "delivery":
            funnel = steps.setdefault(step_id, StepFunnel(step_id))
            if status in ("scheduled", "claimed"):
                funnel.scheduled += rows
            elif status in ("sent", "failed", "skipped", "cancelled"):
                setattr(funnel, status, getattr(funnel, status) + rows)
            if status == "failed":
                funnel.errcodes[errcode] = funnel.errcodes.get(errcode, 0) + rows
            funnel.replied += replied
            funnel.clicked += clicked
        elif kind == "arm":
            arm = arms.setdefault((step_id, variant), [0, 0])
            arm[0] += rows
            arm[1] += converted
        elif kind == "feedback":
            key = step_id or None  # an answer that named no step
            funnel = steps.setdefault(key, StepFunnel(key))  # type: ignore[arg-type]
            setattr(funnel, status, getattr(funnel, status) + rows)
    order = _step_order(session, playbook_id)
    return Report(playbook_id, sum(statuses.values()), statuses,
                  sorted(steps.values(), key=lambda f: order.get(f.step, len(order))),
                  [Arm(step, variant, Proportion(conv, n)) for (step, variant), (n, conv) in sorted(arms.items())],
                  lift(Proportion(groups[False][1], groups[False][0]), Proportion(groups[True][1], groups[True][0])))


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
