"""WeChat Customer Service (微信客服): pull messages with the event's token, handle each once."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import xmltodict
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.guides.relay import tell_failed_replies
from bot.inbound.inbox import Inbox
from bot.inbound.routing import Router, Update
from bot.jobs.locks import named_lock
from bot.jobs.tasks import RetryLater, TaskQueue
from bot.models import Customer, KfCursor, Message
from bot.playbooks.failures import fail_kf_message
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)
router = Router("kf")

CUSTOMER_ORIGIN = 3  # msg_list entries sent by the customer
INVALID_KF_TOKEN = 95007  # kf/sync_msg: the callback's token is unknown or older than 10 minutes
SYSTEM_ORIGIN = 4  # system events: msg_send_fail, enter_session, ...
SERVICER_ORIGIN = 5  # a servicer's message, written in the WeCom client
# msg_send_fail's fail_type [94670]: why WeChat did not deliver a message it had accepted.
FAIL_TYPES = {0: "未知原因", 1: "客服账号已删除", 2: "应用已关闭", 4: "会话已过期，超过48小时", 5: "会话已关闭",
              6: "超过5条限制", 8: "主体未验证", 10: "用户拒收", 11: "企业未有成员登录企业微信App"}


@router.observer("event:kf_msg_or_event", channel="wecom")
def kf_event(update: Update, tasks: TaskQueue) -> None:
    tasks.enqueue("kf_sync", f"kf_sync:{update.callback_id}",
                  {"token": update.get("Token"), "open_kfid": update.get("OpenKfId")})


@router.task("kf_sync")
def kf_sync(payload: dict[str, Any], db: Database, outbound: Outbound, inbox: Inbox) -> None:
    """Page through `kf/sync_msg` from the stored cursor; the cursor moves only after a page is stored.

    One pull per account at a time: two pulls from the same cursor would both take the newest
    messages and could handle them out of order. A pull that waited starts from the cursor the
    other one left, and finds what arrived since."""
    if outbound.wecom is None:
        return
    with named_lock(db, f"kf_sync:{payload['open_kfid']}"):
        _pull(payload["open_kfid"], payload["token"], db, outbound, inbox)


def _pull(open_kfid: str, token: str, db: Database, outbound: Outbound, inbox: Inbox) -> None:
    wecom = outbound.wecom
    assert wecom is not None
    while True:
        cursor = _cursor(db, open_kfid)
        # wechatpy's kf.sync_msg cannot pass open_kfid; without it WeChat mixes every account the
        # app manages into one stream (and this account's cursor would skip the others' messages).
        data = {"token": token, "cursor": cursor, "limit": 1000, "open_kfid": open_kfid}
        result = outbound.call(lambda data=data: wecom.post("kf/sync_msg", data=data))
        if result.errcode == INVALID_KF_TOKEN and token:
            # The callback's token lasts 10 minutes (a pull delayed longer, e.g. after downtime): the
            # token is optional, so pull without it rather than lose what the callback announced.
            logger.info("kf/sync_msg: the callback's token expired; pulling without it")
            token = ""
            continue
        if not result.settled("kf/sync_msg"):
            return
        accepted: list[tuple[int, bool, str]] = []
        with db.session() as session:
            tasks = TaskQueue(session, db.clock)
            for msg in result.response.get("msg_list", []):
                account = str(msg.get("open_kfid") or open_kfid)  # each item names its own account
                if msg.get("origin") == CUSTOMER_ORIGIN:
                    accepted.append((*inbox.accept("kf", _as_xml(account, msg)), account))
                elif msg.get("origin") == SYSTEM_ORIGIN:
                    _system_event(msg, account, tasks)
                elif msg.get("origin") == SERVICER_ORIGIN:
                    _servicer_message(session, msg, account)
        _save_cursor(db, open_kfid, result.response.get("next_cursor", cursor))
        for callback_id, is_new, account in accepted:
            if not is_new:
                continue
            reply = inbox.process_safely(callback_id).reply
            if reply:
                external_userid = inbox.sender(callback_id)
                outbound.kf_send_text(account, external_userid, reply,
                                      msgid=outbound.kf_msgid(f"reply:{callback_id}"),
                                      customer_id=_customer_id(db, external_userid))
        if not result.response.get("has_more"):
            return


def _system_event(msg: dict[str, Any], account: str, tasks: TaskQueue) -> None:
    """Origin 4: a send WeChat accepted failed later, or a customer entered the session."""
    event = msg.get("event") or {}
    kind = event.get("event_type")
    if kind == "msg_send_fail" and event.get("fail_msgid"):
        tasks.enqueue("kf_send_failed", f"kf_send_failed:{account}:{event['fail_msgid']}",
                      {"open_kfid": account, "fail_msgid": str(event["fail_msgid"]),
                       "fail_type": int(event.get("fail_type") or 0)})
    elif kind == "enter_session":
        logger.info("customer entered kf session of %s (scene %r)", account, event.get("scene"))
    else:
        logger.debug("kf system event %s ignored", kind)


def _servicer_message(session: Session, msg: dict[str, Any], account: str) -> None:
    """Origin 5: a servicer answered in the WeCom client; kept in the customer's history."""
    customer_id = session.scalar(select(Customer.id).where(Customer.external_userid == msg.get("external_userid")))
    if customer_id is None:
        return
    msgtype = str(msg.get("msgtype") or "text")
    content = (msg.get("text") or {}).get("content", "") if msgtype == "text" else f"[{msgtype}]"
    session.add(Message(customer_id=customer_id, direction="out", channel="kf", msg_type=msgtype[:32],
                        content=content, status="sent", wechat_msgid=str(msg.get("msgid") or "")[:128] or None,
                        payload={"open_kfid": account, "servicer_userid": msg.get("servicer_userid", ""),
                                 "origin": SERVICER_ORIGIN}))


@router.task("kf_send_failed")
def kf_send_failed(payload: dict[str, Any], db: Database, outbound: Outbound) -> None:
    """A kf message WeChat had accepted was not delivered: mark it failed and fall back (a playbook
    step), or tell the guide who wrote it (a relayed reply)."""
    reason = FAIL_TYPES.get(payload["fail_type"], "未知原因")
    error = f"msg_send_fail fail_type {payload['fail_type']}: {reason}"
    with db.session() as session:
        found = fail_kf_message(session, payload["fail_msgid"], error, db.clock.now())
    if not found:  # the send's own record may not be written yet: look again shortly
        raise RetryLater(f"no kf message {payload['fail_msgid']} recorded yet", delay=timedelta(seconds=5))
    tell_failed_replies(db, outbound, payload["fail_msgid"], reason)


def _as_xml(open_kfid: str, msg: dict[str, Any]) -> str:
    """A pulled kf message in the callback log's shape, so it is stored and routed like any push."""
    msgtype = msg.get("msgtype", "text")
    text = msg.get("text") or {}
    fields = {
        "ToUserName": open_kfid,
        "FromUserName": msg.get("external_userid", ""),
        "CreateTime": msg.get("send_time", 0),
        "MsgType": msgtype,
        "MsgId": msg.get("msgid", ""),
        "OpenKfId": open_kfid,
        "Content": text.get("content", "") if msgtype == "text" else "",
    }
    if msgtype == "text" and text.get("menu_id"):  # a click on a menu message's item
        fields["MenuId"] = str(text["menu_id"])
    return xmltodict.unparse({"xml": fields})


def _customer_id(db: Database, external_userid: str) -> int | None:
    with db.session() as session:
        return session.scalar(select(Customer.id).where(Customer.external_userid == external_userid))


def _cursor(db: Database, open_kfid: str) -> str:
    with db.session() as session:
        row = session.get(KfCursor, open_kfid)
        return row.cursor if row else ""


def _save_cursor(db: Database, open_kfid: str, cursor: str) -> None:
    with db.session() as session:
        row = session.get(KfCursor, open_kfid)
        if row is None:
            session.add(KfCursor(open_kfid=open_kfid, cursor=cursor))
        else:
            row.cursor = cursor
