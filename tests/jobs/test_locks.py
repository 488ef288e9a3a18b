"""Named locks: holders of one name take turns, across threads and, on PostgreSQL, processes."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from bot.clock import Clock
from bot.db import Database
from bot.jobs.locks import named_lock


def test_threads_take_turns_on_one_name_and_other_names_do_not_wait(database_url: str) -> None:
    db = Database(database_url, Clock())
    events: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with named_lock(db, "kf_sync:wk1"):
            events.append("first in")
            holding.set()
            time.sleep(0.3)
            events.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(5)
    with named_lock(db, "kf_sync:wk2"):
        events.append("other name")
    with named_lock(db, "kf_sync:wk1"):
        events.append("second in")
    thread.join()
    db.dispose()
    assert events == ["first in", "other name", "first out", "second in"]


def _hold(url: str, name: str, held: multiprocessing.synchronize.Event, seconds: float) -> None:
    db = Database(url, Clock())
    with named_lock(db, name):
        held.set()
        time.sleep(seconds)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_processes_take_turns_on_postgresql(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    other = context.Process(target=_hold, args=(database_url, "kf_sync:wk1", held, 1.0))
    other.start()
    assert held.wait(30)
    db = Database(database_url, Clock())
    started = time.monotonic()
    with named_lock(db, "kf_sync:wk1"):
        waited = time.monotonic() - started
    other.join(10)
    db.dispose()
    assert waited > 0.5                                                  # it waited for the other process
