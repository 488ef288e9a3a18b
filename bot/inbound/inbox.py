"""The callback log: store every push before the ack, process it once, recover what was missed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import Database
from bot.inbound.parsing import dedupe_key, parse_fields, update_kind
from bot.inbound.routing import Dispatcher, Registration, Update
from bot.models import Callback
from bot.ops import logs, metrics

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# How long storing a push waits for SQLite's write lock before the webhook gives up: well inside
# the 5 s after which WeCom retries (background jobs hold the lock for milliseconds at a time).
STORE_LOCK_BUDGET = 3.0
ContextFactory = Callable[[Session, Update], Mapping[str, Any]]


@dataclass(frozen=True)
class Processed:
    reply: str | None
    queued_tasks: bool  # whether the handlers queued work for the task runner


class Inbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        dispatcher: Dispatcher,
        context_factory: ContextFactory,
    ) -> None:
        self.db = db
        self.clock = clock
        self.dispatcher = dispatcher
        self.context_factory = context_factory

    def accept(self, channel: str, xml: str, fields: Mapping[str, Any] | None = None) -> tuple[int, bool]:
        """Store a push durably. Returns (callback id, whether it is new)."""
        fields = fields if fields is not None else parse_fields(xml)
        key = dedupe_key(channel, fields)

        def store(session: Session) -> int:
            callback = Callback(channel=channel, dedupe_key=key, kind=update_kind(fields), body=xml)
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

    def stored_reply(self, callback_id: int) -> str | None:
        with self.db.session() as session:
            return session.scalar(select(Callback.reply).where(Callback.id == callback_id))

    def process(self, callback_id: int, fields: Mapping[str, Any] | None = None) -> Processed:
        """Route a stored callback through the handlers once."""
        with logs.bound(callback_id=callback_id), self.db.session() as session:
            callback = session.get(Callback, callback_id, with_for_update=True)
            if callback is None or callback.status == "processed":
                return Processed(callback.reply if callback else None, queued_tasks=False)
            update_ = Update(
                channel=callback.channel,
                kind=callback.kind,
                fields=fields if fields is not None else parse_fields(callback.body),
                received_at=callback.received_at,
                callback_id=callback.id,
                xml=callback.body,
            )
            errors: list[str] = []
            logger.debug("routing %s %s", update_.channel, update_.kind)
            context = self.context_factory(session, update_)
            reply = self.dispatcher.dispatch(update_, context, self._runner(session, update_, errors))
            callback.attempts += 1
            callback.status = "processed"
            callback.reply = reply
            callback.error = "\n".join(errors)
            callback.processed_at = self.clock.now()
            metrics.callback_processed(callback.channel, callback.kind, callback.processed_at - callback.received_at,
                                       ok=not errors)
            tasks = context.get("tasks")
            return Processed(reply, queued_tasks=bool(getattr(tasks, "queued", True)))

    def _runner(
        self, session: Session, update_: Update, errors: list[str]
    ) -> Callable[[Registration, Mapping[str, Any]], Any]:
        def run(reg: Registration, context: Mapping[str, Any]) -> Any:
            try:
                with session.begin_nested():
                    return reg.call(context)
            except Exception as exc:  # the one error hook: log with context, keep the others running
                name = f"{reg.callback.__module__}.{reg.callback.__name__}"
                logger.exception("handler %s failed on %s %s (callback %s)",
                                 name, update_.channel, update_.kind, update_.callback_id)
                errors.append(f"{name}: {exc!r}")
                return None

        return run

    def process_safely(self, callback_id: int, fields: Mapping[str, Any] | None = None) -> Processed:
        """`process`, but a failure is recorded on the callback for the recovery job."""
        try:
            return self.process(callback_id, fields)
        except Exception as exc:
            with logs.bound(callback_id=callback_id):
                logger.exception("callback %s could not be processed", callback_id)
            metrics.callback_processed("unknown", "unknown", None, ok=False)
            with self.db.session() as session:
                session.execute(
                    update(Callback)
                    .where(Callback.id == callback_id)
                    .values(
                        status="failed",
                        attempts=Callback.attempts + 1,
                        error=repr(exc)[:2000],
                    )
                )
            return Processed(None, queued_tasks=False)

    def recover(self, grace: timedelta = timedelta(seconds=30), limit: int = 100) -> int:
        """Process callbacks a crashed process accepted but never routed."""
        cutoff = self.clock.now() - grace
        with self.db.session() as session:
            ids = session.scalars(
                select(Callback.id)
                .where(Callback.status.in_(("received", "failed")))
                .where(Callback.attempts < MAX_ATTEMPTS)
                .where(Callback.received_at <= cutoff)
                .order_by(Callback.id)
                .limit(limit)
            ).all()
        for callback_id in ids:
            self.process_safely(callback_id)
        return len(ids)
