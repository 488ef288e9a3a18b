"""The webhook's intake on PostgreSQL: each group commit of pushes is one statement, one round trip.

A group of concurrent pushes (bot.inbound.group_commit) is stored by one
`INSERT ... SELECT FROM unnest(<one array per column>) ON CONFLICT DO NOTHING RETURNING`, sent on
a connection of the intake's own in autocommit mode: the statement is its own transaction, and
the server answers only once it is committed (with `synchronous_commit` as the server sets it, on
by default: the WAL is flushed to disk first), so a push is acked after its commit exactly as
before. Its text is the same whatever the group's size, so psycopg prepares it on each
connection after a few uses and the server neither parses nor plans it again.

Through SQLAlchemy's pool the same store was five round trips (the pool's pre-ping, BEGIN, the
INSERT, NOTIFY, COMMIT) and most of a web worker's CPU per ack. A retry of a stored push (WeChat
resends when an ack is late) is not inserted again: its id is read back in a second statement.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import psycopg

from bot.db import Database
from bot.inbound.spool import Push
from bot.inbound.wakeup import CHANNEL

logger = logging.getLogger(__name__)

_INSERT = """
INSERT INTO callbacks (channel, dedupe_key, kind, body, customer_key, received_at, status, attempts, error)
SELECT channel, dedupe_key, kind, body, customer_key, received_at, 'received', 0, ''
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[])
     AS pushes (channel, dedupe_key, kind, body, customer_key, received_at)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING dedupe_key, id"""
# The same, waking the listening processors (bot.inbound.wakeup) at its commit when it inserted
# anything: PostgreSQL delivers one notification per transaction for repeats of one payload.
_INSERT_AND_NOTIFY = f"""
WITH stored AS ({_INSERT})
SELECT dedupe_key, id, pg_notify('{CHANNEL}', '') FROM stored"""
_STORED = "SELECT dedupe_key, id FROM callbacks WHERE dedupe_key = ANY(%s::text[])"


class PostgresIntake:
    """Stores groups of pushes in `callbacks`; thread-safe, one connection per concurrent group."""

    def __init__(self, db: Database) -> None:
        args, kwargs = db.engine.dialect.create_connect_args(db.engine.url)
        self._connect_args: tuple[list[Any], dict[str, Any]] = (list(args), dict(kwargs))
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()

    def insert(self, pushes: Sequence[Push], notify: bool = False) -> tuple[dict[str, int], set[str]]:
        """Store `pushes` (committed on return); returns the id of every key, stored now or before,
        and the keys this call stored.

        A connection that fails (the server restarted, the network dropped) is closed with the idle
        ones and the group written once more on a new one: the statement is idempotent, so a
        group that did commit before the failure is found, not stored twice."""
        columns = ([p.channel for p in pushes], [p.dedupe_key for p in pushes], [p.kind for p in pushes],
                   [p.body for p in pushes], [p.customer_key for p in pushes], [p.received_at for p in pushes])
        try:
            return self._insert_on(self._take(), columns, notify)
        except psycopg.OperationalError as exc:
            logger.warning("storing pushes failed on a lost connection (%s); trying a new one",
                           exc.__class__.__name__)
            self.close()
            return self._insert_on(self._take(), columns, notify)

    def _insert_on(self, conn: psycopg.Connection[Any], columns: tuple[list[Any], ...],
                   notify: bool) -> tuple[dict[str, int], set[str]]:
        keep = False
        try:
            ids = {row[0]: int(row[1]) for row in conn.execute(_INSERT_AND_NOTIFY if notify else _INSERT, columns)}
            new = set(ids)
            missing = set(columns[1]) - new
            if missing:  # retries of pushes stored before
                ids.update((key, int(id_)) for key, id_ in conn.execute(_STORED, (sorted(missing),)))
            keep = True
            return ids, new
        except psycopg.OperationalError:
            raise
        except psycopg.Error:
            keep = True  # the statement failed alone (autocommit): the connection is fine
            raise
        finally:
            if keep:
                with self._lock:
                    self._idle.append(conn)
            else:
                conn.close()

    def _take(self) -> psycopg.Connection[Any]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        args, kwargs = self._connect_args
        return psycopg.connect(*args, **kwargs, autocommit=True)

    def close(self) -> None:
        """Close the idle connections (one in use is closed when its statement fails, or left)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
