"""A kf customer's click on a feedback button: it comes back as a text with the menu's `menu_id`."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.feedback.buttons import parse_menu_id
from bot.feedback.feature import Feedback
from bot.inbound.routing import Router, Update
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)
router = Router("feedback")


def is_feedback_reply(update: Update) -> bool:
    """A menu reply to one of Siyu's feedback menus (any other menu's reply is ordinary text)."""
    return parse_menu_id(update.get("MenuId")) is not None


@router.observer("text", channel="kf", when=is_feedback_reply)
def feedback_clicked(update: Update, session: Session, customers: CustomerService, feedback: Feedback | None) -> None:
    click = parse_menu_id(update.get("MenuId"))
    if feedback is None or click is None:
        return
    customer = customers.from_wecom(update.sender)
    service = feedback.service(session)
    service.record_menu_reply(customer, update.text, update.get("MenuId"), update.received_at, update.callback_id,
                              update.get("MsgId") or None)
    if service.record(click, "kf", update.received_at, customer=customer, label=update.text) is not None:
        feedback.remember_reply(session, update.callback_id, feedback.thanks(click.option))


@router.responder("text", channel="kf", when=is_feedback_reply)
def acknowledge_feedback(update: Update, session: Session, feedback: Feedback | None) -> str | None:
    """One thank-you for a new answer; a repeated click gets none."""
    return feedback.reply_for(session, update.callback_id) if feedback is not None else None
