"""Callbacks the webhook refused, remembered so `siyu doctor` can tell a wrong Token or AES key.

A push whose signature checks out but whose body does not decrypt was signed with our Token, so
it came from WeChat (or someone holding the Token): the EncodingAESKey in the console differs
from ours. A bad signature is weaker evidence: scanners send those too. One row per channel and
reason in `shared_values`, written at most once a minute per process, so a flood of forged
requests costs no more than a trickle.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import SharedValue

logger = logging.getLogger(__name__)

PREFIX = "webhook_rejected:"
KEEP = timedelta(days=7)
WRITE_EVERY_SECONDS = 60.0
_last_write: dict[str, float] = {}
_pending: dict[str, int] = {}
_clear_checked: set[str] = set()
_lock = threading.Lock()


@dataclass(frozen=True)
class Rejection:
    channel: str
    reason: str  # "signature" or "decrypt"
    count: int
    last_at: datetime


def note(db: Database, channel: str, reason: str) -> None:
    """Count one refused push; write the count down at most every WRITE_EVERY_SECONDS."""
    key = f"{PREFIX}{channel}:{reason}"
    now = time.monotonic()
    with _lock:
        _pending[key] = _pending.get(key, 0) + 1
        if now - _last_write.get(key, -WRITE_EVERY_SECONDS) < WRITE_EVERY_SECONDS:
            return
        _last_write[key], count = now, _pending.pop(key)
    try:
        _write(db, key, count)
    except SQLAlchemyError as exc:  # the refusal itself must still answer; the count is a hint
        logger.warning("could not record a refused %s callback: %s", channel, exc.__class__.__name__)


def _write(db: Database, key: str, count: int) -> None:
    at = datetime.now(UTC)
    with db.session() as session:
        row = session.get(SharedValue, key)
        previous = json.loads(row.value).get("count", 0) if row is not None and row.value.startswith("{") else 0
        value = json.dumps({"count": previous + count, "at": at.isoformat()})
        if row is None:
            session.add(SharedValue(key=key, value=value, expires_at=at + KEEP))
        else:
            row.value, row.expires_at = value, at + KEEP


CLEAR_LOCK_BUDGET = 0.2


def accepted(db: Database, channel: str) -> None:
    """A push decrypted fine: the keys are right now, so earlier refusals are history.

    Checked once per process and channel (the first good push after a start, typically the restart
    that followed fixing the key), so the cost is one query per process.
    """
    with _lock:
        if channel in _clear_checked:
            return
        _clear_checked.add(channel)
    stale = SharedValue.key.startswith(f"{PREFIX}{channel}:")

    def clear(session: Session) -> None:
        for row in session.scalars(select(SharedValue).where(stale)):
            session.delete(row)

    try:
        with db.read_session() as session:  # nearly always nothing to clear: no write lock for that
            if session.scalar(select(SharedValue.key).where(stale).limit(1)) is None:
                return
        # The webhook is answering: never wait long for SQLite's write lock (a job may hold it).
        db.within_budget(clear, CLEAR_LOCK_BUDGET)
    except SQLAlchemyError as exc:
        logger.warning("could not clear refused-push records: %s", exc.__class__.__name__)
        with _lock:
            _clear_checked.discard(channel)  # the next good push tries again


def recent(session: Session, since: timedelta = timedelta(days=1)) -> list[Rejection]:
    """Refusals recorded within `since`, newest first."""
    cutoff = datetime.now(UTC) - since
    found = []
    for row in session.scalars(select(SharedValue).where(SharedValue.key.startswith(PREFIX))):
        try:
            data = json.loads(row.value)
            at = datetime.fromisoformat(data["at"])
        except (ValueError, KeyError, TypeError):
            continue
        if at >= cutoff:
            channel, _, reason = row.key.removeprefix(PREFIX).partition(":")
            found.append(Rejection(channel, reason, int(data.get("count", 0)), at))
    return sorted(found, key=lambda r: r.last_at, reverse=True)


def forget() -> None:
    """Drop this process's throttle (tests start each case afresh)."""
    with _lock:
        _last_write.clear()
        _pending.clear()
        _clear_checked.clear()
