"""Access tokens shared by every process through the database.

An Official Account token is invalidated by the next refresh, so processes must not refresh
independently: refreshes happen under a named lock (bot.jobs.locks) and a process that waited adopts
the token the other one fetched.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from wechatpy.session import SessionStorage

from bot.clock import Clock
from bot.db import Database
from bot.jobs.locks import named_lock
from bot.models import SharedValue

logger = logging.getLogger(__name__)


class SharedTokenStorage(SessionStorage):
    """wechatpy session storage backed by the `shared_values` table."""

    def __init__(self, db: Database, wall_clock: Clock | None = None) -> None:
        """`wall_clock`: what token expiry is judged by; the system clock, or the demo's shared one."""
        self.db = db
        # wechatpy keeps expiry in wall-clock seconds, so token rows follow the wall clock too; in the
        # demo that is the clock 快进 moves (the simulator expires its tokens by it).
        self.wall_clock = wall_clock or Clock()

    def get(self, key: str, default: Any = None) -> Any:
        with self.db.session() as session:
            row = session.get(SharedValue, key)
            if row is None or (row.expires_at is not None and row.expires_at <= self.wall_clock.now()):
                return default
            return _decode(row.value)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        expires_at = self.wall_clock.now() + timedelta(seconds=ttl) if ttl else None
        with self.db.session() as session:
            row = session.get(SharedValue, key)
            if row is None:
                session.add(SharedValue(key=key, value=_encode(value), expires_at=expires_at))
            else:
                row.value, row.expires_at = _encode(value), expires_at

    def delete(self, key: str) -> None:
        with self.db.session() as session:
            row = session.get(SharedValue, key)
            if row is not None:
                session.delete(row)

    def refresh_lock(self, key: str) -> AbstractContextManager[None]:
        return named_lock(self.db, key)


def _encode(value: Any) -> str:
    return str(value)


def _decode(value: str) -> Any:
    return int(value) if value.isdigit() else value

