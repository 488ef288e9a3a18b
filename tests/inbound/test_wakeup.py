"""On PostgreSQL a stored push wakes the processors of other processes (`siyu worker`), which
would otherwise find it only at their next poll."""

from __future__ import annotations

import threading

import pytest

from bot.clock import Clock
from bot.db import Database
from bot.inbound.wakeup import listen_for_pushes
from tests.conftest import truncate_all
from tests.inbound.test_group_commit import text_push
from tests.support.harness import Harness


@pytest.mark.postgres
def test_a_stored_push_wakes_a_listening_processor(postgres_server_url: str) -> None:
    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    worker_db = Database(postgres_server_url, Clock())  # the worker's own engine, as in another process
    woken, stop = threading.Event(), threading.Event()
    listening = listen_for_pushes(worker_db, woken.set, stop)
    try:
        # The listener subscribes on its own thread: store until a push wakes it (each is new).
        for n in range(1, 300):
            h.runtime.inbox.accept("mp", text_push(n, f"oWAKE{n}"))
            if woken.wait(0.1):
                break
        assert woken.is_set()
    finally:
        stop.set()
        listening.join(timeout=10)
        worker_db.dispose()
        h.close()
