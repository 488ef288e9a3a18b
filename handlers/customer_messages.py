"""What customers write, on the Official Account or through WeChat Customer Service."""

from __future__ import annotations

import logging

from bot.models import Customer
from bot.routing import Router, Update
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)
router = Router("customer_messages")

MESSAGE_KINDS = ("text", "image", "voice", "video", "location", "link", "file", "miniprogram")


def customer_of(update: Update, customers: CustomerService) -> Customer:
    if update.channel == "mp":
        return customers.from_mp(update.sender)
    return customers.from_wecom(update.sender)  # kf: the sender is the customer's external_userid


@router.observer(*MESSAGE_KINDS, channel=("mp", "kf"))
def store_customer_message(update: Update, customers: CustomerService) -> None:
    customer = customer_of(update, customers)
    content = update.text if update.kind == "text" else f"[{update.kind}]"
    customers.record_inbound(customer, channel=update.channel, msg_type=update.kind, content=content,
                             at=update.received_at, callback_id=update.callback_id,
                             wechat_msgid=update.get("MsgId") or None)
