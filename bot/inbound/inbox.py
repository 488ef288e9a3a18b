"""The callback log: store every push before the ack, process it once, retry what failed.

On SQLite a push is first written to the spool (bot.inbound.spool), a file of its own, so that
storing it never waits for the main database's write lock; `ingest` moves spooled pushes into
`callbacks` under the id the spool gave them. On PostgreSQL it goes to `callbacks` directly, in
one transaction with the pushes of concurrent requests (bot.inbound.group_commit).

A callback is processed in one transaction: either every handler's writes are committed with
the status `processed`, or none are and the callback is retried with backoff (`failed`, at
`next_attempt_at`) until it succeeds or runs out of attempts (`dead`, kept with its error and
counted in `/api/health`). A handler error is never swallowed into a "processed" callback.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import InboundConfig
from bot.db import Database
from bot.inbound.group_commit import GroupCommit
from bot.inbound.parsing import customer_key, dedupe_key, parse_fields, update_kind
from bot.inbound.pg_intake import PostgresIntake
from bot.inbound.routing import Dispatcher, Registration, Update
from bot.inbound.spool import Push, Spool
from bot.models import Callback
from bot.ops import logs, metrics

logger = logging.getLogger(__name__)

PUSH_WRITERS = 4  # group commits of pushes under way at once per process (PostgreSQL)
INGEST_BATCH = 500  # spooled pushes moved into `callbacks` per transaction
WAKE_INTERVAL = 0.1  # seconds: a process's group commits wake the processors at most this often
ContextFactory = Callable[[Session, Update], Mapping[str, Any]]
# Reads what the handlers of a batch of updates will need, for all of them at once.
BatchPreparer = Callable[[Session, Sequence[Update]], None]
RECOVERY_GRACE = timedelta(seconds=30)
_UPDATES_KEY = "siyu.batch_updates"


def due_callbacks(now: datetime, grace: timedelta = RECOVERY_GRACE) -> Any:
    """Callbacks to (re)process: retries that are due, and fresh ones nobody took within `grace`."""
    return or_(
        and_(Callback.status == "failed", Callback.next_attempt_at <= now),
        and_(Callback.status == "received", Callback.received_at <= now - grace),
    )


class HandlerFailed(Exception):
    """A handler raised: the callback's transaction is rolled back and the callback retried."""

    def __init__(self, handler: str, error: BaseException) -> None:
        super().__init__(f"{handler}: {error!r}")
        self.handler = handler


@dataclass(frozen=True)
class Processed:
    reply: str | None
    queued_tasks: bool  # whether the handlers queued work for the task runner
    ok: bool = True
    passive: bool = False  # the reply is a passive responder's: the webhook answered it already


class Inbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        dispatcher: Dispatcher,
        context_factory: ContextFactory,
        config: InboundConfig | None = None,
        prepare_batch: BatchPreparer | None = None,
        spool: Spool | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.dispatcher = dispatcher
        self.context_factory = context_factory
        self.config = config or InboundConfig()
        self.prepare_batch = prepare_batch
        self.spool = spool
        # Without a spool (PostgreSQL), concurrent requests share the commits of their pushes; a few
        # commits at once, since PostgreSQL overlaps them (store-only, 16 threads at load 9-10:
        # 650-1,700 pushes/s with 4 writers, 400-680 with 1, 760-940 with a commit per push).
        self._group: GroupCommit[Push, tuple[int, bool]] = GroupCommit(self._insert_group,
                                                                        writers=PUSH_WRITERS)
        # PostgreSQL: a group is one prepared statement on a connection of its own (bot.inbound.pg_intake)
        self._intake = PostgresIntake(db) if spool is None and db.is_postgres else None
        self._woken_at = -WAKE_INTERVAL  # when a group commit last woke the processors (monotonic)

    def accept(self, channel: str, xml: str, fields: Mapping[str, Any] | None = None) -> tuple[int, bool]:
        """Store a push durably, once. Returns (callback id, whether it is new).

        On SQLite it is in the spool until `ingest` moves it into `callbacks` (raises
        `SpoolUnavailable` when it could not be written); on PostgreSQL it is in `callbacks`."""
        fields = fields if fields is not None else parse_fields(xml)
        push = Push(channel, dedupe_key(channel, fields), update_kind(fields), customer_key(channel, fields), xml,
                    self.clock.now())
        stored = self.spool.put(push) if self.spool is not None else self._group.submit(push)
        if not stored[1]:
            logger.info("duplicate push %s acked again", push.dedupe_key)
        return stored

    def _insert_group(self, pushes: Sequence[Push]) -> list[tuple[int, bool]]:
        """Insert the pushes of concurrent requests in one transaction (group commit); a key already
        stored, or twice in the group (WeChat's retry racing its original), is new only once."""
        if self._intake is not None:
            ids, new = self._intake.insert(pushes, notify=self._wake_due())
            results = []
            for push in pushes:
                results.append((ids[push.dedupe_key], push.dedupe_key in new))
                new.discard(push.dedupe_key)  # the same key again in this group is a retry
            return results
        return self._insert_group_with_engine(pushes)

    def _insert_group_with_engine(self, pushes: Sequence[Push]) -> list[tuple[int, bool]]:
        """SQLite without a spool (an in-memory database): through SQLAlchemy, as one transaction."""
        keys = {push.dedupe_key for push in pushes}
        with self.db.engine.begin() as conn:
            # One cached statement, the rows as parameters (one multi-row INSERT for the group):
            # building and compiling a VALUES of the group's rows was most of the store's CPU.
            inserted = dict(conn.execute(_group_insert(), [_callback_row(push) for push in pushes]).all())
            existing = dict(conn.execute(select(Callback.dedupe_key, Callback.id)
                                         .where(Callback.dedupe_key.in_(sorted(keys - inserted.keys())))).all()
                            ) if len(inserted) < len(keys) else {}
        results = []
        for push in pushes:
            key = push.dedupe_key
            if key in inserted:
                results.append((int(inserted.pop(key)), True))
                existing[key] = results[-1][0]
            else:
                results.append((int(existing[key]), False))
        return results

    def _wake_due(self) -> bool:
        """Whether this group's commit should wake the listening processors: at most once per
        WAKE_INTERVAL per process. PostgreSQL serialises the commits of notifying transactions
        (one lock, held through the WAL flush), so a NOTIFY in every group commit made concurrent
        commits wait for each other's flush. A processor busy with a backlog needs no wake-up; an
        idle one is woken by the first push after a pause, and finds one stored within the
        interval after it at its next poll ([inbound] poll_seconds) at the latest."""
        now = time.monotonic()
        if now - self._woken_at < WAKE_INTERVAL:
            return False
        self._woken_at = now
        return True

    def ingest(self, limit: int = INGEST_BATCH) -> int:
        """Move the oldest spooled pushes into `callbacks` (one transaction), then out of the spool;
        a push whose key is already there (a retry) is dropped. Returns how many were moved."""
        if self.spool is None:
            return 0
        spooled = self.spool.oldest(limit)
        if not spooled:
            return 0
        rows = [{"id": item.id, **_callback_row(item.push)} for item in spooled]
        with self.db.session() as session:
            # executemany of one cached statement: a multi-row VALUES was compiled anew each time
            session.execute(_ingest_statement(), rows)
        self.spool.forget([item.id for item in spooled])
        return len(spooled)

    def close(self) -> None:
        """Close the store's own connections (the spool, or PostgreSQL's intake)."""
        if self.spool is not None:
            self.spool.close()
        if self._intake is not None:
            self._intake.close()

    def spooled(self) -> int:
        return self.spool.count() if self.spool is not None else 0

    def sender(self, callback_id: int) -> str:
        with self.db.session() as session:
            body = session.scalar(select(Callback.body).where(Callback.id == callback_id))
        return str(parse_fields(body).get("FromUserName", "")) if body else ""

    @staticmethod
    def sender_of(callback: Callback) -> str:
        return str(parse_fields(callback.body).get("FromUserName", ""))

    # -- processing one callback -------------------------------------------------------------

    def process_safely(self, callback_id: int, fields: Mapping[str, Any] | None = None) -> Processed:
        """Route a stored callback once; a failure rolls its writes back and schedules a retry."""
        self.ingest()  # it may still be in the spool
        with logs.bound(callback_id=callback_id):
            try:
                with self.db.session() as session:
                    callback = session.get(Callback, callback_id, with_for_update=True)
                    if callback is None or callback.status in ("processed", "dead"):
                        return Processed(callback.reply if callback else None, queued_tasks=False)
                    routing = session.begin_nested()
                    try:
                        processed = self.route(session, callback, fields)
                    except Exception as exc:
                        if not isinstance(exc, HandlerFailed):
                            logger.exception("callback %s could not be processed", callback_id)
                        # Counted while the row is still locked: nobody routes it again before.
                        routing.rollback()
                        self.record_failure(session.get(Callback, callback_id, populate_existing=True), exc)
                        return Processed(None, queued_tasks=False, ok=False)
                    routing.commit()
                    return processed
            except Exception as exc:  # the commit itself failed: counted in a transaction of its own
                logger.exception("callback %s could not be processed", callback_id)
                with self.db.session() as session:
                    callback = session.get(Callback, callback_id)
                    if callback is not None:
                        self.record_failure(callback, exc)
                return Processed(None, queued_tasks=False, ok=False)

    def prepare(self, session: Session, callbacks: Sequence[Callback]) -> None:
        """Before routing a batch: its updates parsed once, and what their handlers read, read for all."""
        updates = [self.update_of(callback) for callback in callbacks]
        session.info[_UPDATES_KEY] = {u.callback_id: u for u in updates}
        if self.prepare_batch is not None and updates:
            self.prepare_batch(session, updates)

    @staticmethod
    def update_of(callback: Callback, fields: Mapping[str, Any] | None = None) -> Update:
        return Update(
            channel=callback.channel,
            kind=callback.kind,
            fields=fields if fields is not None else parse_fields(callback.body),
            received_at=callback.received_at,
            callback_id=callback.id,
            xml=callback.body,
        )

    def route(self, session: Session, callback: Callback, fields: Mapping[str, Any] | None = None) -> Processed:
        """Run the handlers for one callback in `session` and mark it processed; raises on failure."""
        update_ = session.info.get(_UPDATES_KEY, {}).get(callback.id) if fields is None else None
        update_ = update_ or self.update_of(callback, fields)
        logger.debug("routing %s %s", update_.channel, update_.kind)
        context = self.context_factory(session, update_)
        answer = self.dispatcher.dispatch(update_, context, self._runner(update_))
        callback.attempts += 1
        callback.status = "processed"
        callback.reply = answer.text if answer else None
        callback.error = ""
        callback.next_attempt_at = None
        callback.processed_at = self.clock.now()
        metrics.callback_processed(callback.channel, callback.kind, callback.processed_at - callback.received_at)
        tasks = context.get("tasks")
        return Processed(callback.reply, queued_tasks=bool(getattr(tasks, "queued", True)),
                         passive=bool(answer and answer.passive))

    @staticmethod
    def _runner(update_: Update) -> Callable[[Registration, Mapping[str, Any]], Any]:
        def run(reg: Registration, context: Mapping[str, Any]) -> Any:
            try:
                return reg.call(context)
            except Exception as exc:  # the one error hook: log with context, fail the callback
                name = f"{reg.callback.__module__}.{reg.callback.__name__}"
                logger.exception("handler %s failed on %s %s (callback %s)",
                                 name, update_.channel, update_.kind, update_.callback_id)
                raise HandlerFailed(name, exc) from exc

        return run

    def record_failure(self, callback: Callback, exc: BaseException) -> None:
        """Count the attempt; retry after a backoff, or dead-letter it after the last attempt."""
        callback.attempts += 1
        callback.error = repr(exc)[:2000] if not isinstance(exc, HandlerFailed) else str(exc)[:2000]
        if callback.attempts >= self.config.max_attempts:
            callback.status, callback.next_attempt_at = "dead", None
            logger.error("callback %s dead-lettered after %s attempts: %s", callback.id, callback.attempts,
                         callback.error.splitlines()[0] if callback.error else "")
        else:
            delay = self.config.retry_base_seconds * 4 ** (callback.attempts - 1)
            callback.status, callback.next_attempt_at = "failed", self.clock.now() + timedelta(seconds=delay)
        metrics.callback_processed(callback.channel, callback.kind, None, ok=False)

    # -- what is left to do ------------------------------------------------------------------

    def recover(self, grace: timedelta = RECOVERY_GRACE, limit: int = 100) -> int:
        """Process callbacks a crashed process accepted but never routed, and retries that are due."""
        while self.ingest():
            pass
        with self.db.session() as session:
            ids = session.scalars(
                select(Callback.id).where(due_callbacks(self.clock.now(), grace)).order_by(Callback.id).limit(limit)
            ).all()
        for callback_id in ids:
            self.process_safely(callback_id)
        return len(ids)

    def health(self, dead_shown: int = 20) -> dict[str, Any]:
        """Callbacks by status, the oldest one still waiting, and the latest dead letters."""
        with self.db.session() as session:
            counts = dict(session.execute(select(Callback.status, func.count()).group_by(Callback.status)).all())
            oldest = session.scalar(select(func.min(Callback.received_at))
                                    .where(Callback.status.in_(("received", "failed"))))
            dead = session.execute(
                select(Callback.id, Callback.kind, Callback.attempts, Callback.error, Callback.received_at)
                .where(Callback.status == "dead").order_by(Callback.id.desc()).limit(dead_shown)
            ).all()
        waiting = (self.clock.now() - oldest).total_seconds() if oldest else 0.0
        return {
            "counts": {status: counts.get(status, 0) for status in ("received", "failed", "processed", "dead")},
            "spooled": self.spooled(),
            "oldest_waiting_seconds": round(max(waiting, 0.0), 3),
            "dead_letters": [
                {"id": row.id, "kind": row.kind, "attempts": row.attempts,
                 "error": (row.error or "").splitlines()[0][:300] if row.error else "",
                 "received_at": row.received_at.isoformat()}
                for row in dead
            ],
        }

    def mark_for_retry(self, callback_ids: list[int]) -> int:
        """Give dead-lettered callbacks another round of attempts (after the cause was fixed)."""
        with self.db.session() as session:
            result = session.execute(
                update(Callback).where(Callback.id.in_(callback_ids), Callback.status == "dead")
                .values(status="failed", attempts=0, next_attempt_at=self.clock.now())
            )
        return int(result.rowcount or 0)


def _callback_row(push: Push) -> dict[str, Any]:
    return {"channel": push.channel, "dedupe_key": push.dedupe_key, "kind": push.kind, "body": push.body,
            "customer_key": push.customer_key, "received_at": push.received_at, "status": "received",
            "attempts": 0, "error": ""}


@functools.cache
def _group_insert() -> Any:
    table = Callback.__table__
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.dedupe_key,
                                                                                                 table.c.id)


@functools.cache
def _ingest_statement() -> Any:
    return sqlite.insert(Callback.__table__).on_conflict_do_nothing()
