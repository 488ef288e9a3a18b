"""The webhook's spool on SQLite: a job holding the main database's write lock for seconds neither
fails a push nor loses it; concurrent pushes share commits; a spooled push survives a restart and
a retry is stored once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import Clock, FrozenClock
from bot.inbound.spool import Push, Spool, spool_path_for
from bot.models import Callback, Customer, Message
from tests.support.concurrency import all_at_once
from tests.support.harness import Harness


@pytest.fixture
def h(sqlite_url: str, clock: FrozenClock) -> Iterator[Harness]:
    harness = Harness(sqlite_url, clock=clock)
    yield harness
    harness.close()


class WriteLockHolder:
    """A background job that keeps SQLite's write lock for `seconds` (a long scan, a cron fire)."""

    def __init__(self, database: str, seconds: float) -> None:
        self.held = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(database, seconds))

    def _hold(self, database: str, seconds: float) -> None:
        conn = sqlite3.connect(database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.held.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    def __enter__(self) -> WriteLockHolder:
        self.thread.start()
        self.held.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join()


def test_a_job_holding_the_write_lock_for_seconds_neither_fails_nor_loses_a_push(h: Harness) -> None:
    h.sim.mp_subscribe("oLOCKED")
    h.settle()
    with WriteLockHolder(h.db.url.database, seconds=6):  # twice the 3 s after which the store used to 500
        opted_out = h.sim.mp_text("oLOCKED", "退订")
        question = h.sim.mp_text("oLOCKED", "周六还能约吗")
        assert (opted_out["status"], question["status"]) == (200, 200)
        assert "已为您退订" in (opted_out.get("reply") or "")  # the passive answer needs no database
        assert h.runtime.inbox.spooled() == 2  # stored durably, waiting for the lock
    h.settle()
    with h.db.session() as session:
        assert session.scalars(select(Message.content).where(Message.direction == "in")
                               .order_by(Message.id)).all() == ["退订", "周六还能约吗"]
        assert session.scalars(select(Customer.opted_out).where(Customer.openid == "oLOCKED")).one() is True
    assert h.runtime.inbox.spooled() == 0


def push(n: int, at: datetime | None = None) -> Push:
    xml = (f"<xml><ToUserName>gh_x</ToUserName><FromUserName>oSPOOL{n}</FromUserName><CreateTime>1700000000"
           f"</CreateTime><MsgType>text</MsgType><Content>第{n}条</Content><MsgId>{n}</MsgId></xml>")
    return Push("mp", f"mp:msg:{n}", "text", f"mp:oSPOOL{n}", xml, at or datetime(2026, 5, 1, tzinfo=UTC))


def test_concurrent_pushes_share_one_commit(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "inbox.db", Clock())
    try:
        results: list[tuple[int, bool]] = []
        with spool._group.writing():  # a commit is under way: the next eight pushes queue behind it
            threads = [threading.Thread(target=lambda n=n: results.append(spool.put(push(n)))) for n in range(8)]
            for thread in threads:
                thread.start()
            while spool._group.queued < 8:
                time.sleep(0.01)
        for thread in threads:
            thread.join()
        assert sorted(results) == [(i, True) for i in range(1, 9)]
        assert spool.commits == 1  # eight pushes, one transaction
    finally:
        spool.close()


def test_a_spooled_push_survives_a_restart_and_a_retry_is_stored_once(h: Harness, tmp_path: Path) -> None:
    path = spool_path_for(h.db.url.database)
    first = Spool(path, Clock())
    stored, retried = first.put(push(1)), first.put(push(1))  # WeChat's retry, before the move
    assert retried == (stored[0], False)
    first.close()  # the process is killed here: nothing was moved into `callbacks` yet
    h.settle()  # another process (this harness, on the same files) takes it over
    later = Spool(path, Clock())
    later.put(push(1))  # a retry after the move is dropped when it is moved in turn
    later.close()
    h.settle()
    with h.db.session() as session:
        assert session.scalars(select(Callback.dedupe_key)).all() == ["mp:msg:1"]
        assert session.scalars(select(Message.content)).all() == ["第1条"]


def test_spooled_ids_continue_above_the_callbacks_already_stored(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "inbox.db", Clock(), first_id=lambda: 1000)  # callbacks already hold 1..1000
    try:
        assert spool.put(push(1)) == (1001, True)
    finally:
        spool.close()


def test_processes_opening_a_new_spool_at_once_all_start(tmp_path: Path) -> None:
    """Two `siyu serve` processes started together on a fresh database each open the spool file, not
    there yet; one of them used to crash with "database is locked" switching it to WAL."""
    for round_ in range(50):
        assert all_at_once(4, partial(Spool, tmp_path / f"siyu-{round_}-inbox.db", Clock())) == []
