"""Waking the processors of other processes when a push is stored (PostgreSQL).

Under gunicorn the web workers only ack, and `siyu worker` routes: without a wake-up it would
find a push at its next poll ([inbound] poll_seconds). The webhook's insert notifies the channel
in the same statement (bot.inbound.pg_intake; delivered at its commit, once per transaction
however many pushes it holds), and each worker listens on a connection of its own and wakes its
processor.

The same way, `siyu worker`'s processor children (PostgreSQL, [inbound] worker_processors) wake
the worker's task runner when a batch queued sends (TASKS_CHANNEL): the sends then run in the
worker, not beside the routing in the child.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import Database

logger = logging.getLogger(__name__)

CHANNEL = "siyu_callbacks"
TASKS_CHANNEL = "siyu_tasks"
RETRY_PAUSE = 5.0  # seconds before listening again after the connection was lost (the poll covers it)


def notify_tasks_queued(db: Database) -> None:
    """After a batch's commit queued tasks: wake the task runner listening on TASKS_CHANNEL."""
    with db.engine.connect() as conn:
        conn.execute(text(f"NOTIFY {TASKS_CHANNEL}"))
        conn.commit()


def listen_for_pushes(db: Database, wake: Callable[[], None], stop: threading.Event,
                      channel: str = CHANNEL) -> threading.Thread:
    """Call `wake` whenever another process notifies `channel` (stored pushes), until `stop` is set."""

    def listen() -> None:
        while not stop.is_set():
            try:
                raw = db.engine.raw_connection()
            except SQLAlchemyError as exc:
                logger.warning("cannot listen on %s (%s); polling meanwhile", channel, exc.__class__.__name__)
                stop.wait(RETRY_PAUSE)
                continue
            try:
                connection = raw.driver_connection
                connection.autocommit = True  # type: ignore[union-attr]
                connection.execute(f"LISTEN {channel}")  # type: ignore[union-attr]
                while not stop.is_set():
                    # Wakes at least every second to see `stop`; the first notification is enough.
                    for _ in connection.notifies(timeout=1.0, stop_after=1):  # type: ignore[union-attr]
                        wake()
            except Exception as exc:  # psycopg's errors: the connection went away; listen again
                logger.warning("stopped listening on %s (%s); listening again", channel, exc.__class__.__name__)
                raw.invalidate()
                stop.wait(RETRY_PAUSE)
            else:
                raw.close()

    thread = threading.Thread(target=listen, name=f"siyu-listen-{channel}", daemon=True)
    thread.start()
    return thread
