"""Guides writing to the self-built app from WeCom: every message is a command (bot.guides.commands)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.guides.feature import Guides
from bot.inbound.routing import Router, Update
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)
router = Router("staff_messages")


@router.observer("text", channel="wecom")
def store_staff_message(update: Update, customers: CustomerService) -> None:
    staff = customers.staff(update.sender)
    customers.record_inbound(None, channel="wecom_app", msg_type="text", content=update.text,
                             at=update.received_at, callback_id=update.callback_id, staff=staff,
                             wechat_msgid=update.get("MsgId") or None)


@router.responder("text", channel="wecom")
def guide_command(update: Update, session: Session, customers: CustomerService, guides: Guides | None) -> str | None:
    """「查 小美」「#A12 好的」「任务」...: answered in one message; relays answer later, by app message."""
    if guides is None:
        return None
    staff = customers.staff(update.sender)
    # A relayed reply answers later, by app message: nothing to say now (None acks with "success").
    return guides.command(session, staff, update.text, key=f"cb{update.callback_id}") or None
