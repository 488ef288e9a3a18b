"""Guides writing to the self-built app from WeCom: help, and their follow-up tasks (跟进任务)."""

from __future__ import annotations

import logging
import re

from bot.config import Config
from bot.inbound.routing import Router, Update
from bot.services.customers import CustomerService
from bot.guides.tasks import GuideTaskError, GuideTaskService

logger = logging.getLogger(__name__)
router = Router("staff_messages")

HELP_INTRO = (
    "思域助手可以帮您：\n"
    "· 客户发来的消息会带着画像推送给您\n"
    "· 剧本需要您跟进客户时，推送建议话术并记为跟进任务\n"
)
HELP_COMMANDS = "发送「任务」查看待跟进任务，「完成 编号」标记已跟进（例如「完成 12」），「帮助」查看本说明。"
HELP_WORDS = frozenset({"帮助", "help", "?", "？"})
LIST_WORDS = frozenset({"任务", "我的任务", "任务列表"})
# 「完成 12」, 「完成12」, 「完成 #12」, full-width digits and spaces too. Anything else starting with 完成
# is answered with how to write it rather than ignored.
COMPLETE = re.compile(r"^完成[\s#＃]*(?P<id>.*)$", re.DOTALL)
USAGE = "请带上任务编号，例如「完成 12」。发送「任务」查看编号。"


@router.observer("text", channel="wecom")
def store_staff_message(update: Update, customers: CustomerService) -> None:
    staff = customers.staff(update.sender)
    customers.record_inbound(None, channel="wecom_app", msg_type="text", content=update.text,
                             at=update.received_at, callback_id=update.callback_id, staff=staff,
                             wechat_msgid=update.get("MsgId") or None)


def help_text(config: Config) -> str:
    """What the app does for guides, with the digest time as configured."""
    at = config.scheduler.guide_digest_time
    digest = f"· 每天 {at:%H:%M} 推送您的待跟进任务\n" if at is not None else ""
    return HELP_INTRO + digest + HELP_COMMANDS


@router.responder("text", channel="wecom")
def help_reply(update: Update, config: Config) -> str | None:
    return help_text(config) if update.text.strip() in HELP_WORDS else None


@router.responder("text", channel="wecom")
def list_tasks(update: Update, customers: CustomerService, guide_tasks: GuideTaskService) -> str | None:
    """「任务」: the guide's open tasks, oldest first."""
    if update.text.strip() not in LIST_WORDS:
        return None
    return guide_tasks.open_tasks(customers.staff(update.sender)).text("您的待跟进任务")


@router.responder("text", channel="wecom")
def complete_task(update: Update, customers: CustomerService, guide_tasks: GuideTaskService) -> str | None:
    """「完成 N」: mark the guide's own task N done."""
    match = COMPLETE.match(update.text.strip())
    if match is None:
        return None
    if not match["id"].isdecimal():
        return USAGE
    staff = customers.staff(update.sender)
    try:
        task = guide_tasks.complete(staff, match["id"])
    except GuideTaskError as error:
        return str(error)
    left = guide_tasks.count_open(staff)
    logger.info("guide %s completed task %s", staff.userid, task.id)
    rest = f"还有 {left} 条待跟进，发送「任务」查看。" if left else "待跟进任务已全部完成！"
    return f"已标记任务 {task.id} 完成。{rest}"
