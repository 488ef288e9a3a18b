"""The callback log: store every push before the ack, process it once, retry what failed.

A callback is processed in one transaction: either every handler's writes are committed with
the status `processed`, or none are and the callback is retried with backoff (`failed`, at
`next_attempt_at`) until it succeeds or runs out of attempts (`dead`, kept with its error and
counted in `/api/health`). A handler error is never swallowed into a "processed" callback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import InboundConfig
from bot.db import Database
from bot.inbound.parsing import customer_key, dedupe_key, parse_fields, update_kind
from bot.inbound.routing import Dispatcher, Registration, Update
from bot.models import Callback
from bot.ops import logs, metrics

logger = logging.getLogger(__name__)

# How long storing a push waits for SQLite's write lock before the webhook gives up: well inside
# the 5 s after which WeCom retries (background jobs hold the lock for milliseconds at a time).
STORE_LOCK_BUDGET = 3.0
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


class Inbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        dispatcher: Dispatcher,
        context_factory: ContextFactory,
        config: InboundConfig | None = None,
        prepare_batch: BatchPreparer | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.dispatcher = dispatcher
        self.context_factory = context_factory
        self.config = config or InboundConfig()
        self.prepare_batch = prepare_batch

    def accept(self, channel: str, xml: str, fields: Mapping[str, Any] | None = None) -> tuple[int, bool]:
        """Store a push durably. Returns (callback id, whether it is new)."""
        fields = fields if fields is not None else parse_fields(xml)
        key = dedupe_key(channel, fields)

        def store(session: Session) -> int:
            callback = Callback(channel=channel, dedupe_key=key, kind=update_kind(fields), body=xml,
                                customer_key=customer_key(channel, fields))
            session.add(callback)
            session.flush()
            return callback.id

        try:
            return self.db.within_budget(store, STORE_LOCK_BUDGET), True
        except IntegrityError:
            with self.db.session() as session:
                existing = session.scalar(select(Callback.id).where(Callback.dedupe_key == key))
            if existing is None:  # lost a race with a delete; extremely unlikely, store again
                raise
            logger.info("duplicate push %s acked again", key)
            return existing, False

    def sender(self, callback_id: int) -> str:
        with self.db.session() as session:
            body = session.scalar(select(Callback.body).where(Callback.id == callback_id))
        return str(parse_fields(body).get("FromUserName", "")) if body else ""

    @staticmethod
    def sender_of(callback: Callback) -> str:
        return str(parse_fields(callback.body).get("FromUserName", ""))

    def stored_reply(self, callback_id: int) -> str | None:
        with self.db.session() as session:
            return session.scalar(select(Callback.reply).where(Callback.id == callback_id))

    # -- processing one callback -------------------------------------------------------------

    def process_safely(self, callback_id: int, fields: Mapping[str, Any] | None = None) -> Processed:
        """Route a stored callback once; a failure rolls its writes back and schedules a retry."""
        with logs.bound(callback_id=callback_id):
            try:
                with self.db.session() as session:
                    callback = session.get(Callback, callback_id, with_for_update=True)
                    if callback is None or callback.status in ("processed", "dead"):
                        return Processed(callback.reply if callback else None, queued_tasks=False)
                    return self.route(session, callback, fields)
            except Exception as exc:  # the handler was logged already; anything else is logged here
                if not isinstance(exc, HandlerFailed):
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
        reply = self.dispatcher.dispatch(update_, context, self._runner(update_))
        callback.attempts += 1
        callback.status = "processed"
        callback.reply = reply
        callback.error = ""
        callback.next_attempt_at = None
        callback.processed_at = self.clock.now()
        metrics.callback_processed(callback.channel, callback.kind, callback.processed_at - callback.received_at)
        tasks = context.get("tasks")
        return Processed(reply, queued_tasks=bool(getattr(tasks, "queued", True)))

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
