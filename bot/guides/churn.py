"""A customer who deleted their last guide is lost: the same stage change as everywhere else (a
`stage_changed` event, so a win-back playbook can start), and the journeys that spoke in the
guide's name end rather than greet someone who left with a blank guide name."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Customer, Enrolment
from bot.playbooks.engine import end_enrolment
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)

LOST = "lost"


def churned(session: Session, customers: CustomerService, customer: Customer, at: datetime) -> int:
    """End the customer's running journeys, then mark them lost; returns how many journeys ended.

    In that order: the `stage_changed` event may enrol the customer in a win-back playbook, which
    must not be ended with the rest."""
    running = list(session.scalars(select(Enrolment).where(Enrolment.customer_id == customer.id,
                                                          Enrolment.status.in_(("active", "paused")))))
    for enrolment in running:
        end_enrolment(session, enrolment, "exited", "the customer deleted their guide", customers.clock.now())
    customers.change_stage(customer, LOST, at, reason="guide_deleted")
    logger.info("customer %s lost (deleted the guide); %s journeys ended", customer.id, len(running))
    return len(running)
