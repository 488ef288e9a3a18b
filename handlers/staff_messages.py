"""Guides writing to the self-built app from WeCom."""

from __future__ import annotations

import logging

from bot.routing import Router, Update
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)
router = Router("staff_messages")

HELP = (
    "思域助手可以帮您：\n"
    "· 客户发来的消息会带着画像推送给您\n"
    "· 每天早上推送今日跟进任务\n"
    "发送「帮助」查看本说明。"
)


@router.observer("text", channel="wecom")
def store_staff_message(update: Update, customers: CustomerService) -> None:
    staff = customers.staff(update.sender)
    customers.record_inbound(None, channel="wecom_app", msg_type="text", content=update.text,
                             at=update.received_at, callback_id=update.callback_id, staff=staff,
                             wechat_msgid=update.get("MsgId") or None)


@router.responder("text", channel="wecom")
def help_reply(update: Update) -> str | None:
    return HELP if update.text.strip() in ("帮助", "help", "?", "？") else None
