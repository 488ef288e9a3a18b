"""Waking the processors of other processes when a push is stored (PostgreSQL).

Under gunicorn the web workers only ack, and `siyu worker` routes: without a wake-up it would
find a push at its next poll ([inbound] poll_seconds). The webhook's insert notifies the channel
in the same transaction (delivered at its commit, once per transaction however many pushes it
holds), and each worker listens on a connection of its own and wakes its processor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.db import Database

logger = logging.getLogger(__name__)

CHANNEL = "siyu_callbacks"
RETRY_PAUSE = 5.0  # seconds before listening again after the connection was lost (the poll covers it)


def notify_stored(conn: Connection) -> None:
    """In the transaction that stored pushes: wake the listening processors at its commit."""
    conn.execute(text(f"NOTIFY {CHANNEL}"))


def listen_for_pushes(db: Database, wake: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """Call `wake` whenever another process stored pushes, until `stop` is set."""

    def listen() -> None:
        while not stop.is_set():
            try:
                raw = db.engine.raw_connection()
            except SQLAlchemyError as exc:
                logger.warning("cannot listen for stored pushes (%s); polling meanwhile", exc.__class__.__name__)
                stop.wait(RETRY_PAUSE)
                continue
            try:
                connection = raw.driver_connection
                connection.autocommit = True  # type: ignore[union-attr]
                connection.execute(f"LISTEN {CHANNEL}")  # type: ignore[union-attr]
                while not stop.is_set():
                    # Wakes at least every second to see `stop`; the first notification is enough.
                    for _ in connection.notifies(timeout=1.0, stop_after=1):  # type: ignore[union-attr]
                        wake()
            except Exception as exc:  # psycopg's errors: the connection went away; listen again
                logger.warning("stopped listening for stored pushes (%s); listening again", exc.__class__.__name__)
                raw.invalidate()
                stop.wait(RETRY_PAUSE)
            else:
                raw.close()

    thread = threading.Thread(target=listen, name="siyu-push-listener", daemon=True)
    thread.start()
    return thread
