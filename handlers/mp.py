"""Official Account events: subscribe (with the parameter QR code's scene), unsubscribe, menu clicks."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from bot.config import Config
from bot.db import Database
from bot.inbound.routing import Router, Update
from bot.jobs.tasks import TaskQueue
from bot.models import Customer
from bot.services.customers import CustomerService
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)
router = Router("mp")

SCENE_PREFIX = "qrscene_"


def scene_of(update: Update) -> str | None:
    key = update.get("EventKey")
    return key[len(SCENE_PREFIX):] if key.startswith(SCENE_PREFIX) else None


@router.observer("event:subscribe", channel="mp")
def subscribed(update: Update, customers: CustomerService, tasks: TaskQueue) -> None:
    customer = customers.from_mp(update.sender)
    customer.attributes = {**customer.attributes, "mp_subscribed": True}
    customers.touch(customer, update.received_at)
    customers.record_event(customer, "subscribed", update.received_at, {"state": scene_of(update)}, source="wechat")
    tasks.enqueue("refresh_follower", f"refresh_follower:{update.callback_id}", {"openid": update.sender})


@router.task("refresh_follower")
def refresh_follower(payload: dict[str, Any], outbound: Outbound, db: Database, runtime: Any) -> None:
    """The follower's unionid joins them with their WeCom contact record, if any; and a name."""
    mp = outbound.mp
    if mp is None:
        return
    result = outbound.call(lambda: mp.user.get(payload["openid"]))
    if not result.settled("user/info"):
        return
    with db.session() as session:
        service = runtime.customers(session)
        # No nickname any more (since 2021-12-27): the follower keeps a name from elsewhere, if any.
        customer = service.from_mp(payload["openid"], name=result.response.get("nickname", ""))
        # Locked, then read again: its attributes are rewritten below, and an unsubscribe processed
        # since this task was queued must not be overwritten with what was read before it.
        session.flush()
        session.execute(select(Customer.id).where(Customer.id == customer.id).with_for_update())
        session.refresh(customer)
        if result.response.get("unionid"):
            customer = service.merge_by_unionid(customer, result.response["unionid"])
        service.name_from_what_we_have(customer)


@router.passive("event:subscribe", channel="mp")
def greet_subscriber(config: Config) -> str:
    return config.bot.subscribe_text


@router.observer("event:unsubscribe", channel="mp")
def unsubscribed(update: Update, customers: CustomerService) -> None:
    customer = customers.from_mp(update.sender)
    customer.attributes = {**customer.attributes, "mp_subscribed": False}
    customers.record_event(customer, "unsubscribed", update.received_at, {}, source="wechat")


@router.observer("event:click", channel="mp")
def menu_clicked(update: Update, customers: CustomerService) -> None:
    customer = customers.from_mp(update.sender)
    customers.touch(customer, update.received_at)
    customers.record_event(customer, "menu_click", update.received_at, {"key": update.get("EventKey")},
                           source="wechat")


@router.observer("event:scan", channel="mp")
def qr_scanned(update: Update, customers: CustomerService) -> None:
    """A follower scans a parameter QR code: it opens the Official Account's 1-minute window."""
    customer = customers.from_mp(update.sender)
    customers.touch(customer, update.received_at)
    customers.record_event(customer, "qr_scanned", update.received_at, {"scene": update.get("EventKey")},
                           source="wechat")
