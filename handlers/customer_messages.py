"""What customers write, on the Official Account or through WeChat Customer Service."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.feedback.buttons import parse_menu_id
from bot.guides.feature import Guides
from bot.hooks import batch_reads
from bot.inbound.routing import Router, Update
from bot.models import Customer, Message
from bot.services.customers import CustomerService
from bot.tagging.feature import Tagging
from bot.tagging.subscription import OPT_IN_TAG, OPT_OUT_TAG

logger = logging.getLogger(__name__)
router = Router("customer_messages")

_STORED = "customer_messages.stored"  # the message each callback's text was stored as, for the forward
MESSAGE_KINDS = ("text", "image", "voice", "video", "location", "link", "file", "miniprogram")


def written(update: Update) -> bool:
    """What the customer wrote, not a click on a feedback button (handlers/feedback.py has those)."""
    return parse_menu_id(update.get("MenuId")) is None


def customer_of(update: Update, customers: CustomerService) -> Customer:
    if update.channel == "mp":
        return customers.from_mp(update.sender)
    return customers.from_wecom(update.sender)  # kf: the sender is the customer's external_userid


@router.observer(*MESSAGE_KINDS, channel=("mp", "kf"), when=written)
def store_customer_message(update: Update, session: Session, customers: CustomerService) -> None:
    customer = customer_of(update, customers)
    content = update.text if update.kind == "text" else f"[{update.kind}]"
    message = customers.record_inbound(customer, channel=update.channel, msg_type=update.kind, content=content,
                                       at=update.received_at, callback_id=update.callback_id,
                                       wechat_msgid=update.get("MsgId") or None)
    batch_reads(session).setdefault(_STORED, {})[update.callback_id] = message


@router.observer(*MESSAGE_KINDS, channel=("mp", "kf"), when=written)
def forward_to_guide(update: Update, session: Session, customers: CustomerService, guides: Guides | None) -> None:
    """The customer's guide (or a default guide in turn) gets the message with profile and suggestions."""
    message = batch_reads(session).get(_STORED, {}).get(update.callback_id)
    if message is None:  # the handler runs without the one above (a test calls it alone)
        message = session.scalar(select(Message).where(Message.callback_id == update.callback_id,
                                                       Message.direction == "in").limit(1))
    if guides is None or message is None or message.customer_id is None:
        return
    customer = customers.find({"id": message.customer_id})
    if customer is not None:
        guides.forward(session, customer, message, open_kfid=update.get("OpenKfId"))


OPT_OUT_CONFIRMATION = "已为您退订消息推送，之后不会再主动打扰您。如需恢复，回复「订阅」即可。"
OPT_IN_CONFIRMATION = "已为您恢复消息推送，感谢您的关注！回复「退订」可随时退订。"


@router.passive("text", channel=("mp", "kf"), when=written)
def confirm_subscription_change(update: Update, tagging: Tagging | None) -> str | None:
    """A confirmation when the message asks to opt out (or back in), decided from its text by the
    tag rules' 状态 rules in memory: the Official Account gets it in the webhook's answer. Tagging
    the message applies the wish during processing; a repeated wish is confirmed again."""
    wish = tagging.subscription_wish(update.text) if tagging is not None else None
    if wish == OPT_OUT_TAG:
        return OPT_OUT_CONFIRMATION
    if wish == OPT_IN_TAG:
        return OPT_IN_CONFIRMATION
    return None
