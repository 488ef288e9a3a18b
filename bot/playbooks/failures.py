"""Failures WeChat reports after it said "sent": the delivery falls back to its next channel."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.models import Delivery, Message

logger = logging.getLogger(__name__)


def fail_kf_message(session: Session, msgid: str, error: str, now: datetime) -> bool:
    """Mark the kf messages sent with `msgid` failed, and reopen a playbook delivery that relied on
    them so it tries the channels after kf. False when no such message is recorded (yet)."""
    message_ids = list(session.scalars(select(Message.id).where(
        Message.channel == "kf", Message.direction == "out", Message.wechat_msgid == msgid)))
    if not message_ids:
        return False
    session.execute(update(Message).where(Message.id.in_(message_ids)).values(status="failed", errmsg=error))
    reopened = session.execute(
        update(Delivery)
        .where(Delivery.message_id.in_(message_ids), Delivery.status.in_(("sent", "unknown")),
               Delivery.channel == "kf")
        .values(status="scheduled", due_at=now, sent_at=None, fallback_from="kf", pinned_channel=None,
                last_error=f"kf: {error} (reported after sending; trying the next channel)", updated_at=now))
    if reopened.rowcount:
        logger.info("kf message %s failed after sending (%s): delivery falls back", msgid, error)
        return True
    # A dispatcher may not have marked the delivery yet (kf results are marked in batches).
    in_flight = session.scalar(select(Delivery.id).where(
        Delivery.status == "claimed",
        Delivery.customer_id.in_(select(Message.customer_id).where(Message.id.in_(message_ids)))).limit(1))
    return in_flight is None
