"""The batch processor: stored callbacks are routed after the ack, in batches, one customer at a time.

Each batch is one transaction: claim due callbacks, read what their handlers need for all of them
at once (`Inbox.prepare`: their customers, their journeys), route each, commit. No savepoint per
callback, one per batch after the claim: when a callback fails, the batch's routing is rolled back
to it and the failing callback alone is counted for a retry (dead-lettered after the last attempt)
in the same transaction, before its claim is released, so no other processor takes it again
before its failure is counted; its neighbours are routed again in the next batch, so one bad
message never fails the others. When the failure cannot be pinned on one callback (the commit
itself failed), the batch's callbacks are routed one per transaction. A processor that dies
mid-batch commits nothing, so another one takes the same callbacks again: nothing is lost or done
twice.

On PostgreSQL several processors (web processes, `siyu worker`s) share the work: rows are claimed
with SKIP LOCKED and each customer with a transaction-level advisory lock, and a batch routes a
customer's claimed callbacks only up to the first of its waiting callbacks it did not claim
(another processor may hold it), so one customer's pushes are handled in order. On SQLite a batch
holds the write lock, so it stops after a time budget (and claims no more than fitted in it last
time). The webhook never waits for that lock (it stores pushes in the spool); the jobs and the
console's writes do. While callbacks wait beyond a full batch, the budget doubles up to
`[inbound] sqlite_batch_max_seconds`, since a batch's cost per message falls with its size (load.py's
texts, in-process: 5.0 CPU ms each in batches of 10, 2.6 in batches of 100); once the processor
keeps up, it halves back.

The webhook never waits for a batch: it answered with the passive responders' reply (decided in
memory) before this runs. A reply decided here by another responder is queued as a `send_reply`
task in the batch's transaction and sent actively (custom message, app message) after the commit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from bot import bulk
from bot.clock import Clock
from bot.config import InboundConfig
from bot.db import Database
from bot.inbound.inbox import RECOVERY_GRACE, HandlerFailed, Inbox, Processed
from bot.jobs.tasks import TaskQueue
from bot.models import Callback
from bot.ops import logs
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)

ADVISORY_NAMESPACE = 17010  # the two-int advisory key space, apart from bot.jobs.locks' one-bigint keys
# A batch routes at least this many (what it read ahead for them pays off), even when a slow or
# loaded machine takes longer than `[inbound] sqlite_batch_seconds` for them.
MIN_SQLITE_BATCH = 10


@dataclass(frozen=True)
class Failure:
    callback_id: int
    error: BaseException


@dataclass(frozen=True)
class Outcome:
    callback_id: int
    processed: Processed
    lag: timedelta | None


# Written into the statement, not bound: the partial index on a customer's waiting callbacks serves
# only a query whose predicate is its own, whatever plan PostgreSQL caches for the parameters.
WAITING = literal_column("'received'")


def due_now(now: datetime) -> Any:
    """Callbacks a processor may take: new ones, and failed ones whose retry is due.

    Pulled kf messages are routed by the pull itself (it sends their replies, in order); the
    processor takes one only if the pull died before routing it."""
    fresh = or_(Callback.channel != "kf", Callback.received_at <= now - RECOVERY_GRACE)
    return or_(and_(Callback.status == "received", fresh),
               and_(Callback.status == "failed", Callback.next_attempt_at <= now))


def reply_task_key(callback_id: int) -> str:
    return f"reply:{callback_id}"


class Processor:
    def __init__(self, inbox: Inbox, db: Database, clock: Clock, config: InboundConfig) -> None:
        self.inbox = inbox
        self.db = db
        self.clock = clock
        self.config = config
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.wake_tasks: Callable[[], None] | None = None  # the task runner, for work a batch queued
        self._sqlite_fits = config.batch_size
        self._sqlite_budget = config.sqlite_batch_seconds  # grows while behind (see _learn_pace)

    # -- one batch ---------------------------------------------------------------------------

    def run_batch(self, only: Sequence[int] | None = None) -> int:
        """Claim, route and commit one batch; returns how many callbacks it handled (failed ones
        included). With `only`, the batch is those callbacks (the one-by-one fallback)."""
        failed: Failure | None = None
        claimed: list[int] = []
        try:
            with self.db.session() as session:
                callbacks = self.claim(session, only)
                claimed = [c.id for c in callbacks]
                routing = session.begin_nested()  # one savepoint per batch, after the claim
                outcomes, failed = self.route_all(session, callbacks)
                if failed is None:
                    routing.commit()
                else:
                    # Nothing routed in this batch stays (the neighbours go again), but the claim
                    # does: the failure is counted before the row and customer locks are released,
                    # so no other processor takes the callback again in between.
                    routing.rollback()
                    self.record_failure(session, failed)
                    outcomes = []
        except Exception:
            if only is not None or failed is not None or not claimed:
                raise
            # The commit failed: no callback to blame, so route them one per transaction.
            logger.exception("a batch of %s callbacks failed to commit; routing them one by one", len(claimed))
            return sum(self.run_batch(only=[callback_id]) for callback_id in claimed)
        if failed is not None:
            return 1
        self.announce(outcomes)
        return len(outcomes)

    def claim(self, session: Session, only: Sequence[int] | None = None) -> list[Callback]:
        query = select(Callback).where(due_now(self.clock.now()))
        query = (query.where(Callback.id.in_(only)) if only is not None else query).order_by(Callback.id)
        if not self.db.is_postgres:  # no more than the batch's time budget will route
            return list(session.scalars(query.limit(self._sqlite_limit())))
        query = query.limit(self.config.batch_size)
        callbacks = list(session.scalars(query.with_for_update(skip_locked=True)))
        return self.in_order(session, callbacks)

    def in_order(self, session: Session, callbacks: Sequence[Callback]) -> list[Callback]:
        """Of the claimed callbacks, those this processor may route now, in order per customer.

        A customer is locked by this processor (an advisory lock till the end of the batch), and of
        its claimed callbacks only those older than its oldest waiting callback this batch did not
        claim: SKIP LOCKED may have passed over one that another processor holds, and routing the
        callbacks after it now would handle them before it."""
        keys = sorted({callback.customer_key for callback in callbacks})
        if not keys:
            return []
        locked = set(session.scalars(text(
            "SELECT k FROM unnest(CAST(:keys AS text[])) AS k WHERE pg_try_advisory_xact_lock(:ns, hashtext(k))"),
            {"keys": keys, "ns": ADVISORY_NAMESPACE}))
        if not locked:
            return []
        mine = [callback for callback in callbacks if callback.customer_key in locked]
        not_claimed = dict(session.execute(
            select(Callback.customer_key, func.min(Callback.id))
            .where(Callback.customer_key.in_(locked), Callback.status == WAITING,
                   Callback.id.not_in([callback.id for callback in mine]))
            .group_by(Callback.customer_key)).all())
        return [c for c in mine if c.id < not_claimed.get(c.customer_key, c.id + 1)]

    def route_all(self, session: Session, callbacks: Sequence[Callback]) -> tuple[list[Outcome], Failure | None]:
        """Route the batch in order; stops at the first callback that fails (the caller rolls back)."""
        if self.db.is_sqlite:
            callbacks = callbacks[:max(1, self._sqlite_fits)]
        bulk.enable(session)  # the batch's forwards and their tasks: one INSERT each per batch, at the commit
        self.inbox.prepare(session, callbacks)
        started = time.monotonic()
        outcomes = []
        for callback in callbacks:
            if (self.db.is_sqlite and len(outcomes) >= MIN_SQLITE_BATCH
                    and time.monotonic() - started > self._sqlite_budget):
                break  # other writers wait for this lock: leave the rest to the next batch
            with logs.bound(callback_id=callback.id):
                try:
                    processed = self.inbox.route(session, callback)
                    self.queue_reply(session, callback, processed)
                except Exception as exc:
                    if not isinstance(exc, HandlerFailed):
                        logger.exception("callback %s could not be processed", callback.id)
                    return outcomes, Failure(callback.id, exc)
            outcomes.append(Outcome(callback.id, processed, callback.processed_at - callback.received_at))
        if self.db.is_sqlite and outcomes:  # an empty batch says nothing of the pace
            self._learn_pace(len(outcomes), time.monotonic() - started, behind=len(callbacks) >= self._sqlite_limit())
        return outcomes, None

    def _sqlite_limit(self) -> int:
        return max(1, min(self.config.batch_size, self._sqlite_fits))

    def _learn_pace(self, done: int, seconds: float, behind: bool) -> None:
        """How many callbacks fit in SQLite's batch budget at the routing pace just seen: a batch
        claims (and prepares) about as many as it will route, never fewer than MIN_SQLITE_BATCH.
        `behind`: the batch claimed all it could, so more were waiting: the budget doubles (up to
        the most other writers should wait); otherwise it halves back towards the configured one."""
        low, high = self.config.sqlite_batch_seconds, max(self.config.sqlite_batch_seconds,
                                                          self.config.sqlite_batch_max_seconds)
        self._sqlite_budget = min(high, self._sqlite_budget * 2) if behind else max(low, self._sqlite_budget / 2)
        fits = int(done * self._sqlite_budget / max(seconds, 1e-3)) + 1
        self._sqlite_fits = max(MIN_SQLITE_BATCH, min(self.config.batch_size, (self._sqlite_fits + fits) // 2))

    def record_failure(self, session: Session, failure: Failure) -> None:
        """Count a failed attempt in the batch's transaction, after its routing was rolled back."""
        with logs.bound(callback_id=failure.callback_id):
            callback = session.get(Callback, failure.callback_id, populate_existing=True)
            if callback is not None:
                self.inbox.record_failure(callback, failure.error)

    def queue_reply(self, session: Session, callback: Callback, processed: Processed) -> None:
        """Send a responder's reply actively; a passive responder's went in the webhook's answer."""
        if processed.reply is None or processed.passive or callback.channel not in ("mp", "wecom"):
            return  # kf replies are sent by the kf pull that routed them
        TaskQueue(session, self.clock).enqueue(
            "send_reply", reply_task_key(callback.id),
            {"channel": callback.channel, "to": self.inbox.sender_of(callback), "text": processed.reply},
            run_at=min(callback.received_at, self.clock.now()))  # before the work its handlers queued, as
        # the passive answer came before it

    def announce(self, outcomes: Sequence[Outcome]) -> None:
        """After the commit: wake the task runner for the work the batch queued."""
        queued = any(o.processed.queued_tasks or (o.processed.reply and not o.processed.passive) for o in outcomes)
        if queued and self.wake_tasks is not None:
            self.wake_tasks()

    # -- running in the background -----------------------------------------------------------

    def drain(self, max_batches: int = 1000) -> int:
        """Run batches until none is left; returns how many callbacks were handled."""
        done = 0
        for _ in range(max_batches):
            moved = self.inbox.ingest()  # pushes the webhook spooled (SQLite), into `callbacks` first
            count = self.run_batch()
            done += count
            if not count and not moved:
                break
        return done

    def kick(self) -> None:
        """Wake the background processor (started on first use)."""
        if self._thread is None or not self._thread.is_alive():
            self.start()
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="siyu-processor", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=self.config.poll_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.drain()
            except Exception:  # the database went away; the next wake-up or poll tries again
                logger.exception("processor batch failed; retrying on the next poll")
                time.sleep(self.config.poll_seconds)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def send_reply(payload: dict[str, Any], outbound: Outbound) -> None:
    """A responder's reply that no webhook answered passively in time: sent actively instead."""
    if payload["channel"] == "mp":
        outbound.mp_custom_text(payload["to"], payload["text"]).settled("message/custom/send")
    else:
        outbound.send_app_text(payload["to"], payload["text"]).settled("message/send")
