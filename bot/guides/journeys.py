"""A guide pauses or resumes a customer's playbook (「暂停」「继续」); ending one is the engine's
`end_enrolment`. A paused enrolment keeps its steps as `paused` deliveries the dispatcher skips."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.models import Delivery, Enrolment

logger = logging.getLogger(__name__)


def pause_enrolment(session: Session, enrolment: Enrolment, reason: str, now: datetime) -> int:
    """Hold the enrolment's steps not yet claimed; returns how many."""
    enrolment.status, enrolment.reason = "paused", reason
    result = session.execute(update(Delivery).where(Delivery.enrolment_id == enrolment.id,
                                                    Delivery.status == "scheduled")
                             .values(status="paused", updated_at=now).execution_options(synchronize_session=False))
    logger.info("enrolment %s paused (%s)", enrolment.id, reason)
    return result.rowcount or 0


def resume_enrolment(session: Session, enrolment: Enrolment, now: datetime) -> int:
    """Schedule the held steps again; a step whose time passed meanwhile goes out now."""
    enrolment.status, enrolment.reason = "active", ""
    held = list(session.scalars(select(Delivery).where(Delivery.enrolment_id == enrolment.id,
                                                       Delivery.status == "paused")))
    for delivery in held:
        delivery.status, delivery.due_at = "scheduled", max(delivery.due_at, now)
    logger.info("enrolment %s resumed", enrolment.id)
    return len(held)
