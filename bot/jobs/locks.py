"""Named locks for work that must not run twice at once (a token refresh, a kf pull).

Threads of this process queue on a lock per name; on PostgreSQL, processes also queue on a
session advisory lock named after it, so several workers and web processes take turns. Embedded
SQLite has no such lock between processes: there, only the threads of one process take turns.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from bot.db import Database

_registry_lock = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}


def _thread_lock(name: str) -> threading.Lock:
    with _registry_lock:
        return _thread_locks.setdefault(name, threading.Lock())


@contextmanager
def named_lock(db: Database, name: str) -> Iterator[None]:
    """Hold the lock called `name` for the `with` block, waiting for whoever holds it now."""
    with _thread_lock(name):
        if not db.is_postgres:
            yield
            return
        with db.engine.connect() as conn:
            key = zlib.crc32(name.encode())
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
