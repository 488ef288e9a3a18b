"""WeChat Customer Service (微信客服): pull messages with the event's token, handle each once."""

from __future__ import annotations

import logging
from typing import Any

import xmltodict
from sqlalchemy import select

from bot.db import Database
from bot.inbound.inbox import Inbox
from bot.inbound.routing import Router, Update
from bot.jobs.locks import named_lock
from bot.jobs.tasks import TaskQueue
from bot.models import Customer, KfCursor
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)
router = Router("kf")

CUSTOMER_ORIGIN = 3  # msg_list entries sent by the customer (4 = system events, 5 = servicer)


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
        result = outbound.call(lambda cursor=cursor: wecom.kf.sync_msg(token, cursor=cursor, limit=1000))
        if not result.settled("kf/sync_msg"):
            return
        accepted = [
            inbox.accept("kf", _as_xml(open_kfid, msg))
            for msg in result.response.get("msg_list", [])
            if msg.get("origin") == CUSTOMER_ORIGIN
        ]
        _save_cursor(db, open_kfid, result.response.get("next_cursor", cursor))
        for callback_id, is_new in accepted:
            if not is_new:
                continue
            reply = inbox.process_safely(callback_id).reply
            if reply:
                external_userid = inbox.sender(callback_id)
                outbound.kf_send_text(open_kfid, external_userid, reply, msgid=f"reply-{callback_id}",
                                      customer_id=_customer_id(db, external_userid))
        if not result.response.get("has_more"):
            return


def _as_xml(open_kfid: str, msg: dict[str, Any]) -> str:
    """A pulled kf message in the callback log's shape, so it is stored and routed like any push."""
    msgtype = msg.get("msgtype", "text")
    fields = {
        "ToUserName": open_kfid,
        "FromUserName": msg.get("external_userid", ""),
        "CreateTime": msg.get("send_time", 0),
        "MsgType": msgtype,
        "MsgId": msg.get("msgid", ""),
        "OpenKfId": open_kfid,
        "Content": (msg.get("text") or {}).get("content", "") if msgtype == "text" else "",
    }
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
