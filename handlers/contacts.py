"""WeCom contact events: a customer adds a guide, edits, deletes the guide, or is deleted."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session


from bot.clock import Clock
from bot.config import Config
from bot.guides.churn import churned
from bot.guides.feature import Guides
from bot.guides.lookup import ref_of
from bot.guides.transfer import transfer_failed
from bot.db import Database
from bot.inbound.routing import Router, Update
from bot.jobs.tasks import RetryLater, TaskQueue
from bot.models import Customer, CustomerGuide, Staff
from bot.services.customers import CustomerService
from bot.tagging.sync import apply_wecom_tags
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)
router = Router("contacts")

WELCOME_CODE_LIFETIME = timedelta(seconds=20)  # send_welcome_msg: within 20 s of the add event, once
WELCOME_OTHER_APP_SENDING = 41096
WELCOME_RETRY = timedelta(seconds=2)

ADDED = ("event:change_external_contact:add_external_contact",
         "event:change_external_contact:add_half_external_contact")
_templates = ImmutableSandboxedEnvironment(autoescape=False)


@router.observer(*ADDED, channel="wecom")
def contact_added(update: Update, session: Session, customers: CustomerService, tasks: TaskQueue,
                  guides: Guides | None) -> None:
    staff = customers.staff(update.get("UserID"))
    customer = customers.from_wecom(update.get("ExternalUserID"))
    state = update.get("State") or None
    customers.add_guide(customer, staff, state, update.received_at)
    customers.record_event(customer, "contact_added", update.received_at,
                           {"guide": staff.userid, "state": state}, source="wechat")
    if guides is not None:  # a referral code's state links the customer to whoever referred them
        guides.contact_added(session, customers, customer, state, update.received_at)
    if update.get("WelcomeCode"):
        # The welcome code is valid 20 s and only once: first in line, right after the ack.
        tasks.enqueue("send_welcome", f"welcome:{update.callback_id}", {
            "welcome_code": update.get("WelcomeCode"), "customer_id": customer.id, "guide": staff.name,
            "deadline": (update.received_at + WELCOME_CODE_LIFETIME).isoformat(),
        })
    tasks.enqueue("refresh_contact", f"refresh_contact:{update.callback_id}",
                  {"external_userid": customer.external_userid})


@router.observer("event:change_external_contact:edit_external_contact", channel="wecom")
def contact_edited(update: Update, customers: CustomerService, tasks: TaskQueue) -> None:
    customer = customers.from_wecom(update.get("ExternalUserID"))
    customers.record_event(customer, "contact_edited", update.received_at, {"guide": update.get("UserID")},
                           source="wechat")
    tasks.enqueue("refresh_contact", f"refresh_contact:{update.callback_id}",
                  {"external_userid": customer.external_userid})


@router.observer("event:change_external_contact:del_follow_user", channel="wecom")
def guide_deleted_by_customer(update: Update, session: Session, customers: CustomerService,
                              tasks: TaskQueue) -> None:
    """The customer deleted the guide: churn, told to the guide in words that point somewhere real."""
    customer = customers.from_wecom(update.get("ExternalUserID"))
    staff = customers.staff(update.get("UserID"))
    customers.end_guide(customer, staff, "lost", update.received_at)
    # Journeys end and the stage changes first: the stage_changed event may start a win-back
    # playbook, which nothing after it may end.
    ended = churned(session, customers, customer, update.received_at) if customer.guide_id is None else 0
    customers.record_event(customer, "guide_deleted", update.received_at, {"guide": staff.userid}, source="wechat")
    name = _display_name(customer)
    journeys = f"，进行中的 {ended} 个剧本已结束" if ended else ""
    tasks.enqueue("notify_guide", f"notify_lost:{update.callback_id}", {
        "userid": staff.userid, "customer_id": customer.id,
        "text": f"客户「{name}」已将您从微信好友中删除，已标记为流失客户{journeys}。"
                f"发送「查 #{ref_of(customer.id)}」可查看其历史与标签。",
    })


@router.observer("event:change_external_contact:del_external_contact", channel="wecom")
def customer_removed_by_guide(update: Update, customers: CustomerService) -> None:
    customer = customers.from_wecom(update.get("ExternalUserID"))
    staff = customers.staff(update.get("UserID"))
    customers.end_guide(customer, staff, "removed", update.received_at)
    customers.record_event(customer, "contact_removed", update.received_at, {"guide": staff.userid},
                           source="wechat")


@router.observer("event:change_external_contact:transfer_fail", channel="wecom")
def transfer_refused(update: Update, session: Session, customers: CustomerService, clock: Clock) -> None:
    """WeCom reports a transfer failed: the customer refused it, or was transferred too often."""
    customer = customers.from_wecom(update.get("ExternalUserID"))
    transfer_failed(session, clock, customer, update.get("UserID"), update.get("FailReason"))


@router.task("send_welcome")
def send_welcome(payload: dict[str, Any], outbound: Outbound, config: Config, db: Database, clock: Clock) -> None:
    with db.session() as session:
        customer = session.get(Customer, payload["customer_id"])
        name = customer.name if customer else ""
    text = _templates.from_string(config.bot.welcome_text).render(guide=payload.get("guide", ""),
                                                                  customer={"name": name})
    result = outbound.send_welcome(payload["welcome_code"], text, customer_id=payload["customer_id"])
    deadline = datetime.fromisoformat(payload["deadline"]) if payload.get("deadline") else None
    if result.errcode == WELCOME_OTHER_APP_SENDING and deadline and clock.now() + WELCOME_RETRY < deadline:
        # Another app holds the code for now; it may give it up within the 20 s.
        raise RetryLater("another app is sending the welcome message (41096)", delay=WELCOME_RETRY)
    # 41050 (expired), 41051 (already sent) and a 41096 too late: recorded with the errcode, not retried.
    result.settled("send_welcome_msg")


@router.task("notify_guide")
def notify_guide(payload: dict[str, Any], outbound: Outbound) -> None:
    outbound.send_app_text(payload["userid"], payload["text"], customer_id=payload.get("customer_id")).settled(
        "message/send")


@router.task("refresh_contact")
def refresh_contact(payload: dict[str, Any], outbound: Outbound, db: Database, runtime: Any) -> None:
    """Fill the customer's name and unionid from `externalcontact/get`."""
    wecom = outbound.wecom
    if wecom is None:
        return
    result = outbound.call(lambda: wecom.external_contact.get(payload["external_userid"]))
    if not result.settled("externalcontact/get"):
        return
    contact = result.response.get("external_contact", {})
    with db.session() as session:
        service = runtime.customers(session)
        customer = service.from_wecom(payload["external_userid"], name=contact.get("name", ""))
        if contact.get("name"):
            customer.name = contact["name"]
        if contact.get("unionid"):
            customer = service.merge_by_unionid(customer, contact["unionid"])
        _store_remarks(session, customer, result.response.get("follow_user", []))
        service.name_from_what_we_have(customer)
        guide = customer.guide.userid if customer.guide else None
        follow = [f for f in result.response.get("follow_user", []) if f.get("userid") == guide]
        tagging = runtime.features.get("tagging")
        if follow and tagging is not None:
            apply_wecom_tags(session, tagging.service(session), customer, follow[0].get("tags", []))


def _store_remarks(session: Session, customer: Customer, follow_user: list[dict[str, Any]]) -> None:
    """Each guide's remark for the customer: a name when WeChat gives none (Official Account)."""
    remarks = {str(f.get("userid")): str(f.get("remark") or "")[:128] for f in follow_user if f.get("remark")}
    if not remarks:
        return
    relations = session.execute(select(CustomerGuide, Staff.userid).join(Staff, Staff.id == CustomerGuide.staff_id)
                                .where(CustomerGuide.customer_id == customer.id, Staff.userid.in_(remarks)))
    for relation, userid in relations:
        relation.remark = remarks[userid]


def _display_name(customer: Customer) -> str:
    return customer.name or customer.external_userid or f"#{customer.id}"
