"""What a feedback click does: one `feedback_clicked` event per delivery and option, a tag, and
for "not interested" the end of that journey and fewer messages for a while.

The event carries the delivery, step and playbook, so reports and triggers can tell the answers
apart; a repeated click (WeChat may deliver the menu reply twice, a customer may tap twice) finds
the event already stored and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import FeedbackConfig
from bot.feedback.buttons import Click
from bot.models import Customer, Delivery, Enrolment, Event, Message
from bot.playbooks.engine import NOT_INTERESTED as ENDED_BY_NOT_INTERESTED, end_enrolment
from bot.playbooks.registry import VersionCache
from bot.playbooks.schema import FEEDBACK_LABELS
from bot.services.customers import CustomerService
from bot.tagging.service import TaggingService

logger = logging.getLogger(__name__)

EVENT = "feedback_clicked"
NOT_INTERESTED = "not_interested"
TAG_SOURCE = "feedback"


def idempotency_key(click: Click) -> str:
    return f"siyu:feedback:{click.delivery_id}:{click.option}"


class FeedbackService:
    def __init__(self, session: Session, clock: Clock, customers: CustomerService,
                 tagging: Callable[[Session], TaggingService], config: FeedbackConfig,
                 versions: VersionCache) -> None:
        self.session = session
        self.clock = clock
        self.customers = customers
        self.tagging = tagging
        self.config = config
        self.versions = versions

    def record(self, click: Click, channel: str, at: datetime, customer: Customer | None = None,
               label: str = "") -> Event | None:
        """Record a click; None when the delivery is unknown, not this customer's, or the click a repeat.

        `customer` is who clicked when WeChat says so (a kf menu reply); a link click is the
        delivery's customer."""
        delivery = self.session.get(Delivery, click.delivery_id)
        if delivery is None or (customer is not None and delivery.customer_id != customer.id):
            logger.warning("feedback for delivery %s ignored: no such delivery for this customer", click.delivery_id)
            return None
        customer = customer or self.session.get(Customer, delivery.customer_id)
        if customer is None or self._recorded(click):
            return None
        try:
            with self.session.begin_nested():
                return self._apply(click, delivery, customer, channel, at, label or self._label(delivery, click))
        except IntegrityError:  # the same click, recorded by a concurrent transaction a moment ago
            logger.info("feedback %s on delivery %s was recorded concurrently", click.option, click.delivery_id)
            return None

    def record_menu_reply(self, customer: Customer, text: str, menu_id: str, at: datetime, callback_id: int | None,
                          wechat_msgid: str | None) -> Message:
        """Keep the customer's menu reply in their history (and as activity), not as free text:
        it is not tagged by keywords, attributed as a reply, or forwarded to the guide."""
        message = Message(customer_id=customer.id, direction="in", channel="kf", msg_type="menu_click",
                          content=text, status="received", callback_id=callback_id, wechat_msgid=wechat_msgid,
                          payload={"menu_id": menu_id}, created_at=at)
        self.session.add(message)
        self.customers.touch(customer, at)
        self.session.flush()
        return message

    def _recorded(self, click: Click) -> bool:
        return self.session.scalar(select(Event.id).where(Event.idempotency_key == idempotency_key(click))) is not None

    def label(self, click: Click) -> str:
        """The button's label as the step names it."""
        delivery = self.session.get(Delivery, click.delivery_id)
        return self._label(delivery, click) if delivery is not None else FEEDBACK_LABELS[click.option]

    def _label(self, delivery: Delivery, click: Click) -> str:
        enrolment = self.session.get(Enrolment, delivery.enrolment_id)
        try:
            feedback = self.versions.get(self.session, enrolment.version_id).step(delivery.step_id).feedback \
                if enrolment else None
        except KeyError:
            feedback = None
        return (getattr(feedback, click.option, None) if feedback else None) or FEEDBACK_LABELS[click.option]

    def _apply(self, click: Click, delivery: Delivery, customer: Customer, channel: str, at: datetime,
               label: str) -> Event:
        self._tag(customer, click.option, delivery)
        if click.option == NOT_INTERESTED:
            enrolment = self.session.get(Enrolment, delivery.enrolment_id)
            if enrolment is not None and enrolment.status == "active":
                end_enrolment(self.session, enrolment, "exited", ENDED_BY_NOT_INTERESTED, self.clock.now())
        data: dict[str, Any] = {"option": click.option, "label": label, "delivery_id": delivery.id,
                                "playbook": delivery.playbook_id, "step": delivery.step_id, "channel": channel}
        event = self.customers.record_event(customer, EVENT, at, data, source="wechat",
                                            idempotency_key=idempotency_key(click))
        logger.info("customer %s answered %s to %s/%s", customer.id, click.option, delivery.playbook_id,
                    delivery.step_id)
        return event

    def _tag(self, customer: Customer, option: str, delivery: Delivery) -> None:
        """The answer's tag on, the other answer's tag off: the latest answer holds."""
        tags = {"interested": self.config.interested_tag, NOT_INTERESTED: self.config.not_interested_tag}
        tagging = self.tagging(self.session)
        for other, name in tags.items():
            if other != option:
                tagging.remove(customer, name, source=TAG_SOURCE)
        tagging.add(customer, tags[option], source=TAG_SOURCE, rule=f"{delivery.playbook_id}/{delivery.step_id}",
                    reason=f"delivery {delivery.id}")


def cooling_customers(session: Session, customer_ids: Select[Any] | list[int], now: datetime, days: int) -> set[int]:
    """Those of the customers whose latest feedback within `days` was "not interested": their
    frequency cap is lowered until then."""
    if days <= 0:
        return set()
    latest: dict[int, tuple[datetime, str]] = {}
    for customer_id, at, data in session.execute(
            select(Event.customer_id, Event.occurred_at, Event.data)
            .where(Event.customer_id.in_(customer_ids), Event.type == EVENT,
                   Event.occurred_at >= now - timedelta(days=days))):
        if customer_id not in latest or at >= latest[customer_id][0]:
            latest[customer_id] = (at, str((data or {}).get("option", "")))
    return {customer_id for customer_id, (_, option) in latest.items() if option == NOT_INTERESTED}
