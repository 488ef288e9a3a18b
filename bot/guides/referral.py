"""推荐码: a customer's own channel code. Whoever adds the guide through it was referred by that
customer: linked on the add event, and `referral_added` is recorded on the referrer so a playbook
can thank them."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import Database
from bot.guides.lookup import display_name
from bot.models import Customer, ReferralCode, Staff
from bot.services.customers import CustomerService
from bot.jobs.tasks import TaskQueue
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)

TASK = "referral_code"
STATE = re.compile(r"^ref_(\d{1,12})$")  # a channel state is at most 30 characters


def state_for(customer_id: int) -> str:
    return f"ref_{customer_id}"


def referral_code_for(session: Session, clock: Clock, staff: Staff, customer: Customer, key: str = "") -> str:
    """The answer to 「推荐码 小美」: the code if it exists, else it is made and sent shortly."""
    code = session.scalar(select(ReferralCode).where(ReferralCode.customer_id == customer.id))
    name = display_name(customer)
    if code is not None and code.qr_code:
        return referral_message(name, code.qr_code)
    if code is None:
        code = ReferralCode(customer_id=customer.id, staff_id=staff.id, state=state_for(customer.id))
        session.add(code)
        session.flush()
    TaskQueue(session, clock).enqueue(TASK, f"{TASK}:{code.id}:{key or clock.now().isoformat()}",
                                      {"code_id": code.id, "userid": staff.userid})
    return f"正在生成{name}的专属推荐码，稍后发给您。"


def referral_message(name: str, qr_code: str) -> str:
    return (f"{name}的专属推荐码：{qr_code}\n请转发给{name}：朋友扫码添加您，即记为{name}推荐，"
            f"并会收到{name}推荐的感谢礼（如已配置剧本）。")


def create_code(payload: dict[str, Any], db: Database, outbound: Outbound) -> None:
    """Task: `add_contact_way` for the code, then the code to the guide who asked."""
    wecom = outbound.wecom
    if wecom is None:
        return
    with db.session() as session:
        code = session.get(ReferralCode, payload["code_id"])
        if code is None:
            return
        customer = session.get_one(Customer, code.customer_id)
        name, state, guide = display_name(customer), code.state, session.get_one(Staff, code.staff_id).userid
        existing = code.qr_code
    if not existing:
        result = outbound.call(lambda: wecom.post("externalcontact/add_contact_way", data={
            "type": 1, "scene": 2, "state": state, "user": [guide], "skip_verify": True,
            "remark": f"{name}的推荐码"[:30]}))
        if not result.settled("externalcontact/add_contact_way"):
            failed = f"{name}的推荐码生成失败（errcode {result.errcode}），请稍后再试。"
            outbound.send_app_text(payload["userid"], failed).settled("message/send")
            return
        existing = str(result.response.get("qr_code") or "")
        with db.session() as session:
            code = session.get_one(ReferralCode, payload["code_id"])
            code.config_id, code.qr_code = str(result.response.get("config_id") or ""), existing
    outbound.send_app_text(payload["userid"], referral_message(name, existing)).settled("message/send")


def link_referral(session: Session, customers: CustomerService, customer: Customer, state: str | None,
                  at: datetime) -> Customer | None:
    """A customer who added through a referral code: linked to the referrer, who gets `referral_added`."""
    match = STATE.match(state or "")
    if match is None:
        return None
    referrer = session.get(Customer, int(match[1]))
    if referrer is None or referrer.id == customer.id or customer.attributes.get("referred_by"):
        return None
    customer.attributes = {**customer.attributes, "referred_by": referrer.id}
    customers.record_event(customer, "referred", at, {"by": referrer.id, "by_name": referrer.name}, source="wechat")
    customers.record_event(referrer, "referral_added", at,
                           {"referred_id": customer.id, "referred_name": customer.name}, source="wechat")
    logger.info("customer %s was referred by customer %s", customer.id, referrer.id)
    return referrer
