"""Engine and sessions: SQLite (WAL, busy timeout, immediate transactions) or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
ANALYSIS_LIMIT = 1000  # rows SQLite's ANALYZE samples per index: statistics in milliseconds at any size
_STAMPED_ON_INSERT = ("created_at", "updated_at", "first_seen_at", "received_at", "added_at")


class Database:
    """One engine per process; sessions stamp timestamps from the injected clock."""

    def __init__(self, url: str, clock: Clock, echo: bool = False) -> None:
        self.url = make_url(url)
        self.clock = clock
        self.engine = _create_engine(url, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info={"clock": clock})
        event.listen(self._sessions, "before_flush", _stamp_times)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def new_session(self) -> Session:
        return self._sessions()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def analyze(self, full: bool = False) -> None:
        """Refresh the planner's statistics: `full` after a schema change or a bulk load (`siyu
        init`), otherwise only where they went stale (the periodic job). Bounded work either way:
        SQLite samples at most `ANALYSIS_LIMIT` rows per index, PostgreSQL samples by itself."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
                conn.exec_driver_sql("ANALYZE" if full else "PRAGMA optimize")
            else:
                conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str, echo: bool) -> Engine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        url = str(parsed.set(drivername="postgresql+psycopg"))
    kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    return create_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: a read-then-write transaction can then never fail
    # with SQLITE_BUSY half-way, which deferred transactions do under concurrent writers.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _stamp_times(session: Session, _context: Any, _instances: Any) -> None:
    now = session.info["clock"].now()
    for obj in session.new:
        for name in _STAMPED_ON_INSERT:
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, now)
    for obj in session.dirty:
        if hasattr(obj, "updated_at") and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
