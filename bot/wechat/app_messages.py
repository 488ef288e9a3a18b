"""App messages to staff members under WeChat's per-member limits: counted, merged, never dropped.

WeChat takes at most 30 app messages a minute and 1000 an hour for one member and silently drops
the rest (errcode 0), then blocks the member for a while [90236]. So the bot counts what it sends
to each member in the database (shared by every process), sends at once while there is room, and
holds what comes over the limit: held messages are merged into one digest message sent as soon
as the window has room again. The windows are a few seconds longer than WeChat's, for the time a
call takes to arrive.

Call it through `Outbound.send_app_text`, which every piece of code that writes to a member uses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db import Database
from bot.jobs.locks import named_lock
from bot.jobs.tasks import TaskQueue
from bot.models import AppMessage, Message
from bot.wechat.results import SendResult

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)

DIGEST_TASK = "app_digest"
DIGEST_CHANNEL = "digest"
# WeChat's text content holds 2048 bytes; a digest stays under that with room to spare.
DIGEST_MAX_BYTES = 2000
RETRY_FLUSH = timedelta(seconds=30)


@dataclass(frozen=True)
class MemberLimit:
    """At most `count` messages to one member within `window`."""

    count: int
    window: timedelta


# WeChat's 30/min and 1000/h, each window 2 s (minute) or 5 s (hour) longer on the bot's side.
LIMITS = (MemberLimit(30, timedelta(seconds=62)), MemberLimit(1000, timedelta(seconds=3605)))
COUNTED = ("sending", "sent", "unknown")  # may have reached WeChat: they use up room

SendNow = Callable[[str, str, "int | None", str], "SendResult"]


class AppMessages:
    """Sends app messages to members through `send_now` (one WeChat call), within the limits."""

    def __init__(self, db: Database, send_now: SendNow, limits: tuple[MemberLimit, ...] = LIMITS) -> None:
        self.db = db
        self.send_now = send_now
        self.limits = limits

    def send(self, userid: str, text: str, *, customer_id: int | None = None,
             channel: str = "wecom_app") -> SendResult:
        """Send now when the member has room, else hold it for the next digest (answered as ok)."""
        with named_lock(self.db, _lock_name(userid)), self.db.session() as session:
            now = self.db.clock.now()
            queued = session.scalar(select(func.count()).select_from(AppMessage).where(
                AppMessage.userid == userid, AppMessage.status == "held"))
            if not queued and self._room(session, userid, now) > 0:
                row = AppMessage(userid=userid, channel=channel, content=text, customer_id=customer_id,
                                 status="sending", counted_at=now)
                session.add(row)
                session.flush()
                row_id = row.id
            else:
                message_id = self._hold(session, userid, text, customer_id, channel, now)
                return SendResult(True, None, "held: merged into the next digest", message_id, {"held": True})
        result = self.send_now(userid, text, customer_id, channel)
        with self.db.session() as session:
            session.execute(update(AppMessage).where(AppMessage.id == row_id).values(
                message_id=result.message_id, **_outcome_values(result)))
        return result

    def flush(self, userid: str) -> int:
        """Send the member's held messages as digests while there is room; returns digests sent."""
        with named_lock(self.db, _lock_name(userid)), self.db.session() as session:
            now = self.db.clock.now()
            held = list(session.scalars(select(AppMessage).where(
                AppMessage.userid == userid, AppMessage.status == "held").order_by(AppMessage.id)))
            if not held:
                return 0
            room = self._room(session, userid, now)
            digests = _digests([row.content for row in held])[:room]
            planned: list[tuple[int, str, list[int]]] = []
            position = 0
            for text, size in digests:
                rows = held[position:position + size]
                position += size
                digest = AppMessage(userid=userid, channel=DIGEST_CHANNEL, content=text, status="sending",
                                    counted_at=now)
                session.add(digest)
                session.flush()
                for row in rows:
                    row.status, row.digest_id = "merged", digest.id
                planned.append((digest.id, text, [row.id for row in rows]))
            if position < len(held):  # more than the room: the rest waits for the next opening
                self._schedule(session, userid, now)
        for digest_id, text, row_ids in planned:
            self._send_digest(userid, digest_id, text, row_ids)
        return len(planned)

    # -- internals ---------------------------------------------------------------------------------

    def _room(self, session: Session, userid: str, now: datetime) -> int:
        """How many more messages the member can take now, over every window."""
        room = None
        for limit in self.limits:
            used = session.scalar(select(func.count()).select_from(AppMessage).where(
                AppMessage.userid == userid, AppMessage.status.in_(COUNTED),
                AppMessage.counted_at > now - limit.window)) or 0
            room = limit.count - used if room is None else min(room, limit.count - used)
        return max(room or 0, 0)

    def _next_room_at(self, session: Session, userid: str, now: datetime) -> datetime:
        """When the oldest message of each full window leaves it: then there is room again."""
        due = now
        for limit in self.limits:
            counted = select(AppMessage.counted_at).where(
                AppMessage.userid == userid, AppMessage.status.in_(COUNTED),
                AppMessage.counted_at > now - limit.window).order_by(AppMessage.counted_at.desc())
            nth = session.scalar(counted.offset(limit.count - 1).limit(1))
            if nth is not None:  # the window is full: room once its oldest counted message leaves
                oldest = session.scalar(select(func.min(counted.subquery().c.counted_at)))
                due = max(due, (oldest or nth) + limit.window)
        return due + timedelta(seconds=1)

    def _hold(self, session: Session, userid: str, text: str, customer_id: int | None, channel: str,
              now: datetime) -> int:
        message = Message(customer_id=customer_id, direction="out", channel=channel, content=text,
                          payload={"touser": userid, "held_for_digest": True}, status="pending")
        session.add(message)
        session.flush()
        session.add(AppMessage(userid=userid, channel=channel, content=text, customer_id=customer_id,
                               status="held", message_id=message.id))
        self._schedule(session, userid, now)
        logger.info("app message to %s held for a digest (over WeChat's per-member limit)", userid)
        return message.id

    def _schedule(self, session: Session, userid: str, now: datetime) -> None:
        due = self._next_room_at(session, userid, now)
        TaskQueue(session, self.db.clock).enqueue(DIGEST_TASK, f"{DIGEST_TASK}:{userid}:{due.isoformat()}",
                                                  {"userid": userid}, run_at=due)

    def _send_digest(self, userid: str, digest_id: int, text: str, row_ids: list[int]) -> None:
        result = self.send_now(userid, text, None, DIGEST_CHANNEL)
        with self.db.session() as session:
            values = _outcome_values(result)
            session.execute(update(AppMessage).where(AppMessage.id == digest_id).values(
                message_id=result.message_id, **values))
            if not result.ok and result.transient and not result.unknown:
                # Refused for now (45009, 5xx): the messages are held again, for the next try.
                session.execute(update(AppMessage).where(AppMessage.id.in_(row_ids)).values(
                    status="held", digest_id=None))
                now = self.db.clock.now() + RETRY_FLUSH
                TaskQueue(session, self.db.clock).enqueue(
                    DIGEST_TASK, f"{DIGEST_TASK}:{userid}:{now.isoformat()}", {"userid": userid}, run_at=now)
                return
            message_ids = select(AppMessage.message_id).where(AppMessage.id.in_(row_ids))
            session.execute(update(Message).where(Message.id.in_(message_ids)).values(
                status=values["status"], errcode=result.errcode, errmsg=result.errmsg))


def _outcome_values(result: SendResult) -> dict[str, Any]:
    if result.ok:
        return {"status": "sent"}
    if result.unknown:  # may have arrived: it counts, and it is not sent again
        return {"status": "unknown"}
    return {"status": "failed", "counted_at": None}


def _digests(texts: list[str]) -> list[tuple[str, int]]:
    """Held texts merged in order into digests under the size limit: (text, how many it holds)."""
    digests: list[tuple[str, int]] = []
    parts: list[str] = []

    def close() -> None:
        if parts:
            digests.append((_digest_text(parts), len(parts)))
            parts.clear()

    for text in texts:
        if parts and len(_digest_text([*parts, text]).encode()) > DIGEST_MAX_BYTES:
            close()
        parts.append(text)
    close()
    return digests


def _digest_text(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    items = "\n\n".join(f"{n}. {text}" for n, text in enumerate(parts, 1))
    return f"【消息合并】消息较多，以下 {len(parts)} 条合并发送：\n\n{items}"


def _lock_name(userid: str) -> str:
    return f"app_messages:{userid}"


def flush_app_digest(payload: dict[str, Any], outbound: Outbound) -> None:
    """The task: send a member's held app messages as a digest."""
    outbound.app_messages.flush(str(payload["userid"]))


def install(runtime: Runtime) -> None:
    runtime.tasks.functions[DIGEST_TASK] = flush_app_digest
