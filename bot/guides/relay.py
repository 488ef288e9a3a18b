"""Customers' messages forwarded to their guide, and the guide's answers relayed back.

A message a customer writes to 微信客服 or the Official Account is forwarded to the owning guide
(or, with no guide yet, to a default guide in turn) as an app message: who, stage and tier, the
tags this message added and why, the message, up to three suggested replies from the 话术
library and a short reference (#A12). The guide answers `#A12 text` or `#A12 2`; the answer goes
out over the first channel that can reach the customer now, recorded as the guide's. Forwards
and relays are tasks: no WeChat call inside the transaction that decided them.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from bot import bulk
from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.guides.lookup import display_name, ref_of, stage_cn, tier_cn
from bot.guides.scripts import ScriptShelf
from bot.hooks import batch_reads
from bot.models import Customer, CustomerTag, GuideForward, Message, SharedValue, Staff, Tag, Task
from bot.playbooks.engine import customer_context
from bot.tagging.service import changes_for
from bot.jobs.tasks import RetryLater, TaskQueue
from bot.wechat.outbound import ChannelUnavailable, Outbound, SendResult

logger = logging.getLogger(__name__)

FORWARD_TASK = "guide_forward"
REPLY_TASK = "guide_reply"
HANDOFF_TASK = "kf_handoff"
KF_NEW, KF_API, KF_HUMAN = 0, 1, 3  # kf service_state values
REPLY_WINDOW = timedelta(hours=48)
MESSAGE_CHARS = 300
SUGGESTION_CHARS = 60
ROUND_ROBIN_KEY = "guides:round_robin"  # SQLite's turn counter
TURN_SEQUENCE = "guide_turns"  # PostgreSQL's (migration 0021)
_DEFAULT_GUIDES = "guides.default_guides"  # batch_reads key: (guides, the locked turn counter)
_TURNS = "guides.turns"  # batch_reads key: the turns taken from the sequence and not given yet (PostgreSQL)
CHANNEL_NAMES = {"kf": "微信客服", "mp": "公众号"}
# Refusals meaning "this channel cannot reach the customer now": try the next one.
CLOSED = {45015, 45047, 95018}
_PUNCTUATION = re.compile(r"[\s,.!?~，。！？～、…:：;；'\"“”‘’()（）\[\]【】]+")


# --- who gets the customer -------------------------------------------------------------------

def default_guide(session: Session, config: Config) -> Staff | None:
    """The next default guide in turn ([guides] default_guides, else every active member).

    The guides are read once per transaction. On PostgreSQL each turn is the next value of the
    `guide_turns` sequence: processors routing at once never wait for one another, and a batch
    rolled back leaves its turns unused. On SQLite (one writer at a time) the counter row is read
    once per transaction, its turns handed out in memory and written back at the commit."""
    reads = batch_reads(session)
    if _DEFAULT_GUIDES not in reads:
        wanted = config.guides.default_guides
        query = select(Staff).where(Staff.active.is_(True)).order_by(Staff.id)
        if wanted:
            query = query.where(Staff.userid.in_(wanted))
        guides = list(session.scalars(query))
        if wanted:
            guides.sort(key=lambda s: wanted.index(s.userid))
        counter = None
        if guides and not _has_turn_sequence(session):
            counter = session.get(SharedValue, ROUND_ROBIN_KEY, with_for_update=True)
            if counter is None:
                counter = SharedValue(key=ROUND_ROBIN_KEY, value="0")
                session.add(counter)
        reads[_DEFAULT_GUIDES] = (guides, counter)
    guides, counter = reads[_DEFAULT_GUIDES]
    if not guides:
        return None
    if counter is None:
        turn = _next_turn(session)
    else:
        turn = int(counter.value or 0)
        counter.value = str(turn + 1)
    return guides[turn % len(guides)]


def _next_turn(session: Session) -> int:
    """The next value of the turn sequence. A batch's first turn takes, in the same statement, one
    for each customer its pushes come from that is not created yet (read by the batch's prefetch):
    one round trip per batch, not per new customer; turns left unused are gaps in the rotation."""
    reads = batch_reads(session)
    turns: deque[int] | None = reads.get(_TURNS)
    if turns is None:
        turns = reads[_TURNS] = deque()
        wanted = 1 + sum(1 for found in reads.get("customers", {}).values() if found is None)
    else:
        wanted = 1
    if not turns:
        # On the session's connection, not through the Session, which would autoflush the batch's
        # deferred rows (bot.bulk) first.
        turns.extend(sorted(session.connection().execute(
            text(f"SELECT nextval('{TURN_SEQUENCE}') FROM generate_series(1, :wanted)"), {"wanted": wanted}).scalars()))
    return int(turns.popleft())


def _has_turn_sequence(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"  # migration 0021 made it there


def owning_guide(session: Session, config: Config, customer: Customer) -> Staff | None:
    """The customer's owner; a customer without one is given the next default guide, for good."""
    if customer.guide is not None and customer.guide.active:
        return customer.guide
    guide = default_guide(session, config)
    if guide is not None:
        customer.guide_id, customer.guide = guide.id, guide  # written with the transaction's next flush
        logger.info("customer %s had no guide; given to %s in turn", customer.id, guide.userid)
    return guide


# --- forwarding --------------------------------------------------------------------------------

def is_exempt(text: str, config: Config) -> bool:
    """A message of only exemption words (谢谢, 好的, OK...) needs no answer."""
    words = {w.lower() for w in config.guides.exempt_words}
    stripped = _PUNCTUATION.sub(" ", text).strip().lower()
    return bool(stripped) and all(part in words for part in stripped.split())


def message_tags(session: Session, message: Message) -> list[tuple[str, str]]:
    """(tag, reason) for each tag this message added."""
    if message.callback_id is not None:  # what tagging, in this transaction, reported adding
        return [(c.tag, c.why) for c in changes_for(session, message.callback_id) if c.added]
    rows = session.execute(select(Tag.name, CustomerTag.matched, CustomerTag.reason)
                           .join(CustomerTag, CustomerTag.tag_id == Tag.id)
                           .where(CustomerTag.message_id == message.id).order_by(CustomerTag.id))
    return [(name, "、".join(matched or []) or reason) for name, matched, reason in rows]


def forward(session: Session, config: Config, clock: Clock, shelf: ScriptShelf, customer: Customer,
            message: Message, open_kfid: str = "") -> None:
    """Record the forward of `message` to the customer's guide and queue its app message; with
    `[guides] kf_handoff`, a 微信客服 session is also handed to the guide as its human servicer.
    In a batch, the forwards and their tasks are inserted with the batch's others (bot.bulk)."""
    guide = owning_guide(session, config, customer)
    if guide is None:
        logger.warning("customer %s wrote but there is no staff member to forward to", customer.id)
        return
    tags = message_tags(session, message)
    context = customer_context(session, customer)
    now = clock.now()
    ranked = shelf.library().rank(message.content, set(context.tags), {name for name, _ in tags})
    suggestions = [r.script.render(context, now.astimezone(config.scheduler.tz)) for r in ranked]
    handoff = bool(config.guides.kf_handoff and message.channel == "kf" and open_kfid and customer.external_userid)
    handoff_payload = {"open_kfid": open_kfid, "external_userid": customer.external_userid,
                       "servicer": guide.userid}

    def queue(forward_id: int) -> None:
        tasks = TaskQueue(session, clock)
        tasks.enqueue_with_batch(FORWARD_TASK, f"{FORWARD_TASK}:{forward_id}", {"forward_id": forward_id}, run_at=now)
        if handoff:
            tasks.enqueue_with_batch(HANDOFF_TASK, f"{HANDOFF_TASK}:{forward_id}", handoff_payload, run_at=now)

    bulk.defer(session, GuideForward.__table__, {
        "staff_id": guide.id, "customer_id": customer.id, "message_id": message.id, "suggestions": suggestions,
        "exempt": is_exempt(message.content, config), "received_at": message.created_at or now,
        "status": "pending", "text": forward_text(customer, message, tags, suggestions)}, then=queue)


def hand_off(payload: dict[str, Any], outbound: Outbound) -> None:
    """Task: a kf session still with the bot (state 0 new or 1 API) goes to the guide (3, human)."""
    wecom = outbound.wecom
    if wecom is None:
        return
    key = {"open_kfid": payload["open_kfid"], "external_userid": payload["external_userid"]}
    current = outbound.call(lambda: wecom.post("kf/service_state/get", data=key))
    if not current.settled("kf/service_state/get"):
        return
    if int(current.response.get("service_state", -1)) not in (KF_NEW, KF_API):
        return  # already queued, with a human, or ended: nothing to hand over
    moved = outbound.call(lambda: wecom.post("kf/service_state/trans", data={
        **key, "service_state": KF_HUMAN, "servicer_userid": payload["servicer"]}))
    if moved.settled("kf/service_state/trans"):
        logger.info("kf session of %s handed to %s", payload["external_userid"], payload["servicer"])


def forward_text(customer: Customer, message: Message, tags: list[tuple[str, str]], suggestions: list[str]) -> str:
    ref = ref_of(customer.id)
    via = CHANNEL_NAMES.get(message.channel, message.channel)
    lines = [f"【客户消息】{display_name(customer)} #{ref}（{via}）",
             f"阶段：{stage_cn(customer.stage)} · 价值：{tier_cn(customer.value_tier)}"]
    if tags:
        lines.append("本条新标签：" + "；".join(f"{name}（{why}）" if why else name for name, why in tags))
    content = message.content or ""
    lines.append(f"「{content[:MESSAGE_CHARS]}{'…' if len(content) > MESSAGE_CHARS else ''}」")
    if suggestions:
        lines.append("建议回复：")
        lines += [f"{i}. {_short(text)}" for i, text in enumerate(suggestions, start=1)]
        lines.append(f"回复「#{ref} 内容」直接回复客户，「#{ref} 1」发送建议 1。")
    else:
        lines.append(f"回复「#{ref} 内容」直接回复客户。")
    return "\n".join(lines)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SUGGESTION_CHARS else flat[:SUGGESTION_CHARS] + "…"


def send_forwards(tasks: Sequence[Task], db: Database, outbound: Outbound) -> dict[int, BaseException]:
    """Batch task: the claimed forwards' app messages, in order; returns the tasks that failed.

    One read for the batch, then per forward its send and its outcome committed at once on one
    connection kept for the batch (a process that dies after a send resends that one forward at
    most, as before), instead of a session, a read and a task outcome per forward: a customer
    text's forward was the task runner's main cost. A guide whose send failed gets none of their
    later forwards of the batch: those are put back untried behind it, so each guide gets their
    forwards once and in order; other guides' go on."""
    by_forward = {int(task.payload["forward_id"]): task for task in tasks}
    with db.session() as session:  # one query, no ORM objects
        rows = {row.id: row for row in session.execute(
            select(GuideForward.id, GuideForward.status, GuideForward.text, Staff.userid)
            .join(Staff, Staff.id == GuideForward.staff_id).where(GuideForward.id.in_(by_forward)))}
    failures: dict[int, BaseException] = {}
    stopped: dict[str, RetryLater] = {}  # guide -> why their next forwards wait
    with db.engine.connect() as conn:
        for forward_id, task in by_forward.items():
            row = rows.get(forward_id)
            if row is None or row.status != "pending":
                continue
            if row.userid in stopped:
                failures[task.id] = RetryLater(f"behind a failed forward: {stopped[row.userid]}",
                                               stopped[row.userid].delay, attempted=False)
                continue
            try:
                status = _send_one(outbound, row.userid, row.text)
            except ChannelUnavailable:
                break  # WeCom is not configured: nothing to send
            except Exception as exc:  # this forward's failure; the guide's next ones wait behind it
                failures[task.id] = exc
                stopped[row.userid] = exc if isinstance(exc, RetryLater) else RetryLater(repr(exc))
                continue
            conn.execute(_SET_FORWARD_STATUS, {"forward_id": forward_id, "status": status})
            conn.commit()
    return failures


_SET_FORWARD_STATUS = (update(GuideForward).where(GuideForward.id == bindparam("forward_id"))
                       .values(status=bindparam("status")))


def _send_one(outbound: Outbound, userid: str, text: str) -> str:
    """One forward's app message; its status. Raises RetryLater when a retry may get it through."""
    # Not filed under the customer's messages (the guide_forwards row links them): the
    # customer's conversation holds what they and the business said to each other.
    result = outbound.send_app_text(userid, text, channel=FORWARD_TASK)
    result.settled("message/send")
    return ("merged" if result.response.get("held") else "sent") if result.ok else "failed"


# --- replying ------------------------------------------------------------------------------------

def queue_reply(session: Session, clock: Clock, staff: Staff, customer: Customer, text: str, key: str) -> None:
    """Relay `text` from the guide to the customer, after the commit."""
    TaskQueue(session, clock).enqueue(REPLY_TASK, f"{REPLY_TASK}:{key}", {
        "staff_id": staff.id, "customer_id": customer.id, "text": text, "key": key})


def latest_suggestion(session: Session, staff: Staff, customer: Customer, number: int) -> str | None:
    """Suggestion `number` (1-based) of the latest forward of this customer to this guide."""
    row = session.scalar(select(GuideForward).where(GuideForward.staff_id == staff.id,
                                                    GuideForward.customer_id == customer.id)
                         .order_by(GuideForward.id.desc()).limit(1))
    if row is None or not 1 <= number <= len(row.suggestions):
        return None
    return row.suggestions[number - 1]


def send_reply(payload: dict[str, Any], db: Database, outbound: Outbound, config: Config) -> None:
    """Task: send over the first channel that reaches the customer now; tell the guide what happened."""
    with db.session() as session:
        customer = session.get(Customer, payload["customer_id"])
        staff = session.get(Staff, payload["staff_id"])
        if customer is None or staff is None:
            return
        name, userid = display_name(customer), staff.userid
        routes = reply_routes(session, customer, config, db.clock.now())
    text, attempts = payload["text"], []
    for channel, send in routes:
        result = send(outbound, text, _msgid(payload["key"]))
        if result.ok:
            _record_relayed(db, config, result, payload, channel)
            _tell(outbound, userid, f"✓ 已通过{CHANNEL_NAMES[channel]}发给{name}。", payload["customer_id"])
            return
        if result.transient:
            raise RetryLater(f"{channel}: errcode {result.errcode}")
        attempts.append((channel, result.errcode))
    if any(errcode == 95018 for _, errcode in attempts):
        reason = f"{name}的微信客服会话已转给人工接待，请在企业微信「微信客服」里直接回复"
    else:
        reason = f"未能发给{name}：微信客服和公众号的 48 小时回复窗口都已关闭"
    _tell(outbound, userid, f"{reason}。请在企业微信里打开与{name}的聊天，用聊天工具栏「思域助手」发送。",
          payload["customer_id"])


def reply_routes(session: Session, customer: Customer, config: Config, now: datetime) -> list[tuple[str, Any]]:
    """The channels that might reach the customer now, the one they wrote on last first."""
    last: dict[str, datetime] = {}
    for channel in ("kf", "mp"):
        at = session.scalar(select(Message.created_at).where(
            Message.customer_id == customer.id, Message.direction == "in", Message.channel == channel)
            .order_by(Message.created_at.desc()).limit(1))
        if at is not None and now - at < REPLY_WINDOW:
            last[channel] = at
    routes: list[tuple[str, Any]] = []
    open_kfid, external_userid, openid = config.wecom.open_kfid, customer.external_userid, customer.openid
    for channel in sorted(last, key=lambda c: last[c], reverse=True):
        if channel == "kf" and open_kfid and external_userid:
            routes.append(("kf", lambda out, text, msgid: out.kf_send_text(
                open_kfid, external_userid, text, msgid=msgid, customer_id=customer.id)))
        if channel == "mp" and openid:
            routes.append(("mp", lambda out, text, msgid: out.mp_custom_text(openid, text, customer_id=customer.id)))
    return routes


def tell_failed_replies(db: Database, outbound: Outbound, msgid: str, reason: str) -> None:
    """WeChat took a guide's kf reply and reported it failed later (msg_send_fail: the window had
    closed, over 5 messages, refused): the guide is told, as when WeChat refuses at once."""
    with db.session() as session:
        rows = session.execute(select(Staff.userid, Customer).join(Message, Message.staff_id == Staff.id)
                               .join(Customer, Customer.id == Message.customer_id)
                               .where(Message.channel == "kf", Message.direction == "out",
                                      Message.wechat_msgid == msgid)).all()
        notices = [(userid, display_name(customer), customer.id) for userid, customer in rows]
    for userid, name, customer_id in notices:
        _tell(outbound, userid, f"未能发给{name}：微信客服收下后报告发送失败（{reason}）。"
                                f"请在企业微信里打开与{name}的聊天，用聊天工具栏「思域助手」发送。", customer_id)


def _msgid(key: str) -> str:
    """The kf msgid of one relayed reply: the same on every retry, so WeChat never sends it twice."""
    return "gr" + hashlib.sha1(key.encode()).hexdigest()[:30]


def _record_relayed(db: Database, config: Config, result: SendResult, payload: dict[str, Any], channel: str) -> None:
    with db.session() as session:
        now = db.clock.now()
        if result.message_id is not None:
            message = session.get(Message, result.message_id)
            if message is not None:
                message.staff_id = payload["staff_id"]
                message.payload = {**(message.payload or {}), "relayed_by": payload["staff_id"], "via": channel}
        mark_answered(session, config, payload["staff_id"], payload["customer_id"], now)


def _tell(outbound: Outbound, userid: str, text: str, customer_id: int) -> None:
    """A notice to the guide (not filed under the customer's conversation)."""
    outbound.send_app_text(userid, text).settled("message/send")


# --- response times ------------------------------------------------------------------------------

def mark_answered(session: Session, config: Config, staff_id: int, customer_id: int, at: datetime) -> int:
    """The guide answered: every waiting forward of this customer to them gets its response time."""
    rows = list(session.scalars(select(GuideForward).where(
        GuideForward.staff_id == staff_id, GuideForward.customer_id == customer_id,
        GuideForward.answered_at.is_(None))))
    for row in rows:
        row.answered_at = at
        row.response_seconds = working_seconds(row.received_at, at, config)
    return len(rows)


def working_seconds(start: datetime, end: datetime, config: Config) -> int:
    """Seconds between `start` and `end` that fall within working hours (local time)."""
    if end <= start:
        return 0
    tz = config.scheduler.tz
    opens, closes = config.guides.working_time
    total = 0.0
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        window_start = datetime.combine(day, opens, tz)
        window_end = datetime.combine(day, closes, tz)
        if window_end <= window_start:  # round the clock
            window_end += timedelta(days=1)
        overlap = min(end, window_end) - max(start, window_start)
        total += max(overlap.total_seconds(), 0)
        day += timedelta(days=1)
    return int(total)
