"""How guides answer: first response times and the share answered in time, per guide; task
completion rates. Counted in SQL, for the API and the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.guides.tasks import completion_rates
from bot.models import GuideForward, Staff


def response_stats(session: Session, config: Config, since: datetime,
                   staff_userid: str | None = None) -> list[dict[str, Any]]:
    """Per guide, of the customer messages forwarded since `since`: how many, how many exempt (谢谢,
    好的...), how many answered, the mean first response (working-hours seconds) and the share of
    the non-exempt ones answered within `[guides] answer_within_seconds`."""
    target = config.guides.answer_within_seconds
    timed = GuideForward.exempt.is_(False)
    query = (select(Staff.userid, Staff.name, func.count(GuideForward.id),
                    func.sum(case((GuideForward.exempt.is_(True), 1), else_=0)),
                    func.sum(case((timed & GuideForward.answered_at.is_not(None), 1), else_=0)),
                    func.avg(case((timed, GuideForward.response_seconds), else_=None)),
                    func.sum(case((timed & (GuideForward.response_seconds <= target), 1), else_=0)))
             .join(Staff, Staff.id == GuideForward.staff_id)
             .where(GuideForward.received_at >= since)
             .group_by(Staff.userid, Staff.name).order_by(Staff.userid))
    if staff_userid is not None:
        query = query.where(Staff.userid == staff_userid)
    rows = []
    for userid, name, total, exempt, answered, average, in_time in session.execute(query):
        counted = int(total or 0) - int(exempt or 0)
        rows.append({"staff": userid, "name": name, "messages": int(total or 0), "exempt": int(exempt or 0),
                     "answered": int(answered or 0),
                     "first_response_seconds_avg": round(float(average), 1) if average is not None else None,
                     "answered_within_target_share": round(int(in_time or 0) / counted, 3) if counted else None,
                     "target_seconds": target})
    return rows


def guide_report(session: Session, config: Config, since: datetime,
                 staff_userid: str | None = None) -> dict[str, Any]:
    """What the API answers: response times and task completion per guide since `since`."""
    return {"since": since.isoformat(), "working_hours": list(config.guides.working_hours),
            "guides": response_stats(session, config, since, staff_userid),
            "tasks": completion_rates(session, since, staff_userid)}
