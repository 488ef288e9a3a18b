"""The database wrapper: planner statistics on both databases; SQLite's write lock taken in turn."""

from __future__ import annotations

import threading
import time
import uuid
from functools import partial

from sqlalchemy import text

from bot.clock import Clock
from bot.db import Database
from tests.support.concurrency import all_at_once


def test_analyze_gathers_statistics_the_planner_uses(database_url: str) -> None:
    db = Database(database_url, Clock())
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO staff (userid, name, active, created_at) "
                          "VALUES ('g1', 'g', true, '2026-11-02')"))
    db.analyze(full=True)
    db.analyze()   # the periodic, cheaper form runs too
    with db.engine.connect() as conn:
        if db.is_sqlite:
            analysed = conn.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'staff'"))
        else:
            analysed = conn.scalar(text("SELECT count(*) FROM pg_stat_user_tables "
                                        "WHERE relname = 'staff' AND last_analyze IS NOT NULL"))
    db.dispose()
    assert analysed >= 1


def test_a_job_gets_the_sqlite_write_lock_in_turn_beside_threads_that_commit_back_to_back(sqlite_url: str) -> None:
    """SQLite's own wait is a poll: a thread committing and beginning again at once would take the
    lock back before a waiting job woke, until the job's budget ran out ("database is locked")."""
    db = Database(sqlite_url, Clock())
    done = threading.Event()
    errors: list[BaseException] = []

    def busy_writer() -> None:  # the processor under load: batch after batch, each holding the lock a while
        try:
            while not done.is_set():
                with db.session() as session:
                    session.execute(text("INSERT INTO staff (userid, name, active, created_at) "
                                         "VALUES (:u, 'w', true, '2026-11-02')"), {"u": uuid.uuid4().hex})
                    time.sleep(0.005)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    writers = [threading.Thread(target=busy_writer) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        for n in range(20):  # a scan's chunks, each with the budget the webhook's store had
            db.within_budget(lambda session, n=n: session.execute(text(
                "INSERT INTO staff (userid, name, active, created_at) VALUES (:u, 'job', true, '2026-11-02')"),
                {"u": f"job{n}"}), budget=1.0)
    finally:
        done.set()
        for writer in writers:
            writer.join()
        db.dispose()
    assert not errors, errors


def test_processes_opening_a_new_sqlite_database_at_once_all_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A web worker and `siyu worker` started together on a fresh database: switching the new file
    to WAL answered "database is locked" to all but one of them, which crashed at start-up."""
    for round_ in range(50):
        url, opened = f"sqlite:///{tmp_path / f'siyu-{round_}.db'}", []
        assert all_at_once(4, partial(_first_query, url, opened)) == []
        with opened[0].engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        for db in opened:
            db.dispose()


def _first_query(url: str, opened: list[Database]) -> None:
    opened.append(db := Database(url, Clock()))
    with db.read_session() as session:
        session.execute(text("SELECT 1"))
