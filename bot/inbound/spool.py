"""The webhook's intake on SQLite: a small database file of its own that only pushes are written to.

On SQLite every writer of the main database queues for one lock, held by a processing batch or
a background job for up to a second at a time (longer when a handler is slow). A push stored in
the main database waited for it, and answered 500 when the wait ran out. Here the webhook
appends pushes to `<database>-inbox.db` instead, whose lock only other pushes and the
processor's short deletes ever hold; the processor moves them into `callbacks` (after which they
are routed) and only then deletes them here. Nothing acked is lost on kill -9 (a committed row
stays until it is in `callbacks`), and a retry is stored once: the key is unique here, and moving
a row into `callbacks` skips a key already there.

Concurrent requests share commits (group commit): each request adds its push to a queue, and
whoever takes the writer's turn first writes every push queued so far in one transaction, so the
commits per second stay bounded while the pushes per second grow with concurrency.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import Clock
from bot.db import enter_wal
from bot.inbound.group_commit import GroupCommit

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS pushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
)
"""
# How long a push waits for the spool's lock (held for milliseconds by other pushes and the
# processor's deletes): far inside WeChat's 5 s, and never behind a background job.
LOCK_BUDGET_SECONDS = 2.0


class SpoolUnavailable(Exception):
    """The push could not be written to the spool (disk full, lock budget spent): not acked."""


@dataclass(frozen=True)
class Push:
    channel: str
    dedupe_key: str
    kind: str
    customer_key: str
    body: str
    received_at: datetime


@dataclass(frozen=True)
class Spooled:
    id: int
    push: Push


def spool_path_for(database: str) -> Path:
    """`data/siyu.db` -> `data/siyu-inbox.db`."""
    path = Path(database)
    return path.with_name(f"{path.stem}-inbox{path.suffix or '.db'}")


class Spool:
    """`first_id` gives the highest id `callbacks` already holds: the spool's ids, which become
    the callbacks' ids, continue above it (read once, before the first push is written)."""

    def __init__(self, path: Path, clock: Clock, first_id: Callable[[], int] = lambda: 0,
                 lock_budget: float = LOCK_BUDGET_SECONDS) -> None:
        self.path = path
        self.clock = clock
        self.lock_budget = lock_budget
        self._first_id: Callable[[], int] | None = first_id
        self._group: GroupCommit[Push, tuple[int, bool]] = GroupCommit(self._write)
        self._reader = threading.Lock()  # the processor's side, on `_moves`
        path.parent.mkdir(parents=True, exist_ok=True)
        self._pushes = self._connect()
        self._pushes.execute(SCHEMA)
        self._moves = self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.lock_budget, isolation_level=None, check_same_thread=False)
        enter_wal(conn, self.lock_budget)
        # As the main database: a committed push survives the process being killed.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    # -- the webhook's side ------------------------------------------------------------------

    @property
    def commits(self) -> int:
        """Transactions that stored pushes (fewer than the pushes under concurrency)."""
        return self._group.commits

    def put(self, push: Push) -> tuple[int, bool]:
        """Store `push` durably (with the pushes of concurrent requests, in one commit).
        Returns (spool id, whether it is new here); raises `SpoolUnavailable`."""
        try:
            return self._group.submit(push)
        except Exception as exc:
            raise SpoolUnavailable(str(exc)) from exc

    def _write(self, pushes: Sequence[Push]) -> list[tuple[int, bool]]:
        conn = self._pushes
        try:
            floor = self._first_id() if self._first_id is not None else None
            conn.execute("BEGIN IMMEDIATE")
            try:
                if floor is not None:
                    self._ids_above(conn, floor)
                results = [self._insert(conn, push) for push in pushes]
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except Exception as exc:
            logger.error("could not store %s push(es) in the spool %s: %r", len(pushes), self.path, exc)
            raise
        self._first_id = None
        return results

    @staticmethod
    def _ids_above(conn: sqlite3.Connection, floor: int) -> None:
        """Continue the ids above `floor` (AUTOINCREMENT keeps its high-water mark in sqlite_sequence)."""
        if conn.execute("SELECT 1 FROM sqlite_sequence WHERE name = 'pushes'").fetchone() is None:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('pushes', ?)", (floor,))
        else:
            conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'pushes' AND seq < ?", (floor, floor))

    @staticmethod
    def _insert(conn: sqlite3.Connection, push: Push) -> tuple[int, bool]:
        row = conn.execute(
            "INSERT INTO pushes (channel, dedupe_key, kind, customer_key, body, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            (push.channel, push.dedupe_key, push.kind, push.customer_key, push.body,
             push.received_at.isoformat())).fetchone()
        if row is not None:
            return int(row[0]), True
        existing = conn.execute("SELECT id FROM pushes WHERE dedupe_key = ?", (push.dedupe_key,)).fetchone()
        return int(existing[0]), False

    # -- the processor's side ----------------------------------------------------------------

    def oldest(self, limit: int) -> list[Spooled]:
        with self._reader:
            rows = self._moves.execute(
                "SELECT id, channel, dedupe_key, kind, customer_key, body, received_at FROM pushes "
                "ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [Spooled(row[0], Push(row[1], row[2], row[3], row[4], row[5], datetime.fromisoformat(row[6])))
                for row in rows]

    def forget(self, ids: Sequence[int]) -> None:
        """Delete pushes that are safely in `callbacks` now."""
        if not ids:
            return
        with self._reader:
            self._moves.execute("BEGIN IMMEDIATE")
            try:
                self._moves.executemany("DELETE FROM pushes WHERE id = ?", [(i,) for i in ids])
                self._moves.execute("COMMIT")
            except BaseException:
                self._moves.execute("ROLLBACK")
                raise

    def count(self) -> int:
        with self._reader:
            return int(self._moves.execute("SELECT count(*) FROM pushes").fetchone()[0])

    def close(self) -> None:
        with self._group.writing(), self._reader:
            self._pushes.close()
            self._moves.close()
