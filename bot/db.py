"""Engine and sessions: SQLite (WAL, busy timeout, immediate transactions taken in turn within a
process) or PostgreSQL."""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Insert, Table, create_engine, event, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from bot import bulk
from bot.bulk import STAMPED_ON_INSERT, BulkSession, complete_row
from bot.bulk import install as install_bulk
from bot.clock import Clock

logger = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M")

SQLITE_BUSY_TIMEOUT_MS = 30_000
LOCK_RETRY_PAUSE = 0.01
ANALYSIS_LIMIT = 1000  # rows SQLite's ANALYZE samples per index: statistics in milliseconds at any size
# How long this thread's next SQLite transaction waits for the write lock (None: the default),
# and whether it only reads (a deferred BEGIN: in WAL mode readers never block the writer).
_lock_wait_ms: ContextVar[int | None] = ContextVar("siyu_sqlite_lock_wait_ms", default=None)
_read_only: ContextVar[bool] = ContextVar("siyu_sqlite_read_only", default=False)


class Database:
    """One engine per process; sessions stamp timestamps from the injected clock."""

    def __init__(self, url: str, clock: Clock, echo: bool = False) -> None:
        self.url = make_url(url)
        self.clock = clock
        self.engine = _create_engine(url, echo)
        self._sessions = sessionmaker(self.engine, class_=BulkSession, expire_on_commit=False,
                                      info={"clock": clock})
        event.listen(self._sessions, "before_flush", _stamp_times)
        install_bulk(self._sessions)

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

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session that only reads: on SQLite it does not take the write lock, so a long scan
        reads without keeping webhooks waiting (nothing it adds or changes is committed)."""
        token = _read_only.set(True)
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()
            _read_only.reset(token)

    def within_budget(self, work: Callable[[Session], T], budget: float) -> T:
        """Run `work` in a unit of work that waits at most `budget` seconds in all for SQLite's
        write lock, trying again while the budget lasts when SQLite answers "locked" early;
        after that the lock error reaches the caller. PostgreSQL: a plain unit of work."""
        if not self.is_sqlite:
            with self.session() as session:
                return work(session)
        deadline = time.monotonic() + budget
        while True:
            remaining = deadline - time.monotonic()
            token = _lock_wait_ms.set(max(int(remaining * 1000), 1))
            try:
                with self.session() as session:
                    return work(session)
            except OperationalError as error:
                if not _is_locked(error) or time.monotonic() + LOCK_RETRY_PAUSE >= deadline:
                    raise
                logger.warning("database locked; trying again within the %.1f s budget", budget)
                time.sleep(LOCK_RETRY_PAUSE)
            finally:
                _lock_wait_ms.reset(token)

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


def insert_row(session: Session, model: type[M], values: Mapping[str, Any]) -> M:
    """One INSERT ... RETURNING id, and the row as a persistent object of the session, with no
    unit-of-work flush (a flush per inserted row was most of an inbound message's cost); in a
    batch (`bulk.enable`), the id is reserved and the row inserted with the batch's others. Every
    column gets its value (given, its default, or None), so reading one later needs no SELECT;
    later changes to the object are flushed as usual. `values` are keyed by column name."""
    table = model.__table__  # type: ignore[attr-defined]
    row = complete_row(session, table, values)
    row_id = bulk.reserve_id(session, table)
    if row_id is not None:  # a batch: inserted with the batch's other rows of the table
        bulk.defer_row(session, table, {"id": row_id, **row})
    else:
        with session.no_autoflush:  # the row depends on nothing pending; changes wait for one flush
            row_id = session.execute(_returning_insert(table), row).scalar_one()
    instance = model(id=row_id, **row)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def insert_if_absent(session: Session, model: type[Any], values: Mapping[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call inserted the row.

    The race-safe half of a get-or-create: on PostgreSQL a concurrent transaction inserting the
    same unique value makes this one wait for its outcome instead of failing, so the caller can
    re-read the row afterwards. Timestamps are stamped from the session's clock, as flushes do.
    """
    table = model.__table__
    now = session.info["clock"].now()
    row = {**{name: now for name in STAMPED_ON_INSERT if name in table.c}, **values}
    result = session.execute(_insert_or_nothing(session.get_bind().dialect.name, table), row)
    return bool(result.rowcount)


def insert_returning_if_absent(session: Session, model: type[M], values: Mapping[str, Any]) -> M | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the row as a persistent object of the session, or
    None when a row with the same unique value exists (a concurrent transaction's included): one
    statement for a get-or-create's create, without a unit-of-work flush or a SELECT after it."""
    table = model.__table__  # type: ignore[attr-defined]
    with session.no_autoflush:  # the new row depends on nothing pending
        row = session.execute(_insert_returning_row(session.get_bind().dialect.name, table),
                              complete_row(session, table, values)).mappings().first()
    if row is None:
        return None
    instance = model(**row)  # a Core INSERT and an object made of its row: the ORM's bulk path cost more
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


# One statement object per table, its values passed as parameters: building `.values(**row)`
# for every row cost more than the INSERT itself (coercing each value, a new cache key).
@functools.cache
def _returning_insert(table: Table) -> Insert:
    return insert(table).returning(table.c.id)


@functools.cache
def _insert_or_nothing(dialect: str, table: Table) -> Insert:
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing()


@functools.cache
def _insert_returning_row(dialect: str, table: Table) -> Insert:
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing().returning(*table.c)


def _create_engine(url: str, echo: bool) -> Engine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(url, **kwargs)
        engine_writers = _writers_of(database)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", partial(_sqlite_on_begin, engine_writers))
        event.listen(engine, "commit", _sqlite_on_end)
        event.listen(engine, "rollback", _sqlite_on_end)
        # A connection invalidated mid-transaction (an interrupt) or returned to the pool ends it too.
        event.listen(engine, "invalidate", _sqlite_on_pool_end)
        event.listen(engine, "checkin", _sqlite_on_pool_end)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        url = str(parsed.set(drivername="postgresql+psycopg"))
    kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    return create_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    enter_wal(dbapi_connection, SQLITE_BUSY_TIMEOUT_MS / 1000)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def enter_wal(conn: sqlite3.Connection, budget_seconds: float) -> None:
    """Puts a SQLite file in WAL mode, waiting out other connections switching it at the same
    moment. Switching a new file takes an exclusive lock and SQLite answers "database is locked" at
    once rather than calling the busy handler, so two processes (or threads) opening a database
    that does not exist yet failed at start-up, one of them crashing."""
    deadline, pause = time.monotonic() + budget_seconds, 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


class FairLock:
    """A lock that threads get in the order they asked for it.

    SQLite's own wait for its write lock is a poll (sleep, try again): a thread that commits and
    begins again at once (the processor's batches, a scan's chunks) takes the lock back before a
    sleeping waiter wakes, so a job could wait out its whole busy timeout ("database is locked")
    while each transaction was short. In one process, write transactions queue here first."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: deque[object] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        me, deadline = object(), time.monotonic() + timeout
        with self._changed:
            self._waiting.append(me)
            while self._held or self._waiting[0] is not me:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._waiting.remove(me)
                    self._changed.notify_all()  # the next in line may be first now
                    return False
                self._changed.wait(remaining)
            self._waiting.popleft()
            self._held = True
            return True

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()


_FAIR_LOCKS: dict[str, FairLock] = {}
_FAIR_LOCKS_GUARD = threading.Lock()
_HOLDS_FAIR_LOCK = "siyu_holds_write_queue"


def _writers_of(database: str) -> FairLock:
    """One queue per database file in this process, whichever engine opens it."""
    key = str(Path(database).resolve()) if database and database != ":memory:" else f"memory:{id(object())}"
    with _FAIR_LOCKS_GUARD:
        return _FAIR_LOCKS.setdefault(key, FairLock())


def _sqlite_on_begin(writers: FairLock, conn: Any) -> None:
    wait = _lock_wait_ms.get() or SQLITE_BUSY_TIMEOUT_MS
    if conn.info.get("busy_timeout_ms") != wait:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
        conn.info["busy_timeout_ms"] = wait
    if _read_only.get():
        conn.exec_driver_sql("BEGIN")  # a deferred BEGIN: in WAL mode readers never block the writer
        return
    if not writers.acquire(wait / 1000):  # this process's writers first, in turn
        raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
    conn.info[_HOLDS_FAIR_LOCK] = writers
    try:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can then never
        # fail with SQLITE_BUSY half-way, which deferred transactions do under concurrent writers.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_on_end(conn)
        raise


def _sqlite_on_end(conn: Any) -> None:
    """The write transaction ended (or never began): the next writer in line goes."""
    writers = conn.info.pop(_HOLDS_FAIR_LOCK, None)
    if writers is not None:
        writers.release()


def _sqlite_on_pool_end(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
    writers = record.info.pop(_HOLDS_FAIR_LOCK, None) if record is not None else None
    if writers is not None:
        writers.release()


def _is_locked(error: OperationalError) -> bool:
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


def _stamp_times(session: Session, _context: Any, _instances: Any) -> None:
    now = session.info["clock"].now()
    for obj in session.new:
        for name in STAMPED_ON_INSERT:
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, now)
    for obj in session.dirty:
        if hasattr(obj, "updated_at") and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
