"""Access tokens shared by every process through the database.

An Official Account token is invalidated by the next refresh, so processes must not refresh
independently: refreshes happen under a lock (a PostgreSQL advisory lock, or a process lock
for embedded SQLite) and a process that waited adopts the token the other one fetched.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from wechatpy.session import SessionStorage

from bot.db import Database
from bot.models import SharedValue

logger = logging.getLogger(__name__)


class SharedTokenStorage(SessionStorage):
    """wechatpy session storage backed by the `shared_values` table."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._local_lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self.db.session() as session:
            row = session.get(SharedValue, key)
            if row is None or (row.expires_at is not None and row.expires_at <= _utcnow()):
                return default
            return _decode(row.value)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        expires_at = _utcnow() + timedelta(seconds=ttl) if ttl else None
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

    @contextmanager
    def refresh_lock(self, key: str) -> Iterator[None]:
        with self._local_lock:
            if not self.db.is_postgres:
                yield
                return
            with self.db.engine.connect() as conn:
                lock_id = zlib.crc32(key.encode())
                conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                    conn.commit()


def _utcnow() -> datetime:
    # wechatpy keeps expiry in wall-clock seconds, so token rows follow the wall clock too.
    return datetime.now(UTC)


def _encode(value: Any) -> str:
    return str(value)


def _decode(value: str) -> Any:
    return int(value) if value.isdigit() else value

