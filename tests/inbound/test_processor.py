"""Processing after the ack: the ack does no routing, replies still arrive (passive ones decided in
memory in the ack, the rest actively after routing), and processors on PostgreSQL keep each
customer's order and lose nothing when one of them is killed mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.clock import FrozenClock
from bot.inbound.processor import Processor
from bot.inbound.routing import Router, Update
from bot.models import Callback, Customer, Event, Message
from tests.inbound.race_worker import text_push
from tests.support.harness import Harness

ROOT = Path(__file__).resolve().parents[2]


class Gate:
    """Holds the handlers it is given until opened: what the ack does not wait for is seen without a
    clock (the pushes are answered while every handler is still held)."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.routed: list[str] = []

    def router(self, *kinds: str) -> Router:
        router = Router("held")

        @router.observer(*kinds, channel="mp")
        def held_handler(update: Update) -> None:
            self.opened.wait(60)
            self.routed.append(update.kind)

        return router


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def slow_harness(database_url: str, clock: FrozenClock, gate: Gate) -> Iterator[Harness]:
    from handlers import routers

    h = Harness(database_url, routers=[*routers(), gate.router("event:click", "event:subscribe", "text")],
                clock=clock)
    yield h
    gate.opened.set()
    h.close()


def test_a_handler_that_sleeps_does_not_delay_the_ack(slow_harness: Harness, gate: Gate) -> None:
    h = slow_harness
    subscribed = h.sim.mp_subscribe("oSLOW")  # answered with the greeting, decided without routing
    h.sim.mp_click("oSLOW", "MENU_PRICE")
    h.sim.mp_text("oSLOW", "你们几点开门？")
    assert gate.routed == []  # three pushes acked while every handler is still held
    assert "感谢关注" in (subscribed.get("reply") or "")
    assert h.stored_pushes() == 3  # each stored before its ack
    gate.opened.set()
    h.settle()
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "menu_click")) == 1


def test_the_opt_out_is_confirmed_in_the_ack_while_its_routing_sleeps(slow_harness: Harness, gate: Gate) -> None:
    h = slow_harness
    h.sim.mp_subscribe("oSLOW")
    result = h.sim.mp_text("oSLOW", "退订")
    assert gate.routed == []  # answered before routing
    assert "已为您退订" in (result.get("reply") or "")  # passive, in the HTTP answer
    gate.opened.set()
    h.settle()
    with h.db.session() as session:
        assert session.scalar(select(Customer.opted_out).where(Customer.openid == "oSLOW")) is True
    assert not h.sim.delivered(api="mp/message/custom/send", to="oSLOW")  # neither answer sent a second time


def test_a_reply_decided_by_routing_is_sent_actively(slow_harness: Harness, gate: Gate) -> None:
    h = slow_harness
    gate.opened.set()
    result = h.sim.staff_text("guide_li", "帮助")
    assert not result.get("reply")
    h.settle()
    assert [text for text in h.sim.delivered(api="message/send", to="guide_li") if "思域助手" in text]


def exploding_router() -> Router:
    router = Router("exploding")

    @router.observer("text", channel="mp")
    def explodes_on_a_bomb(update: Update, session: Session) -> None:
        if "炸" in update.text:
            raise RuntimeError("this message always breaks its handler")
        if "坏" in update.text:  # a database error: on PostgreSQL it aborts the transaction
            session.execute(text("SELECT * FROM no_such_table"))

    return router


def test_a_bad_message_in_a_batch_never_fails_its_neighbours_and_is_retried_then_dead_lettered(
        database_url: str, clock: FrozenClock) -> None:
    from handlers import routers

    h = Harness(database_url, routers=[*routers(), exploding_router()], clock=clock, inbound={"max_attempts": 3})
    try:
        h.runtime.processor.stop()
        texts = [("oNEXT1", "你好"), ("oBOMB", "第一条"), ("oBOMB", "一直炸"), ("oNEXT2", "在吗"), ("oBOMB", "第三条")]
        for n, (openid, text) in enumerate(texts):
            h.runtime.inbox.accept("mp", text_push(openid, f"9{n:04d}", text))
        assert h.runtime.processor.drain() == len(texts)  # one batch failed on the bomb, the rest went again
        assert sorted(stored(h)) == sorted(["你好", "第一条", "在吗", "第三条"])
        assert bomb(h) == ("failed", 1)
        for attempt in (2, 3):
            clock.advance(minutes=10)
            assert h.runtime.processor.drain() == 1
            assert bomb(h) == ("failed" if attempt < 3 else "dead", attempt)
        clock.advance(minutes=10)
        assert h.runtime.processor.drain() == 0  # dead-lettered: not taken again
        assert sorted(stored(h)) == sorted(["你好", "第一条", "在吗", "第三条"])  # nothing done twice
    finally:
        h.close()


def test_a_failing_callback_is_counted_once_while_other_processors_claim_beside_it(
        database_url: str, clock: FrozenClock) -> None:
    """Three processors drain at once: none takes a failing callback again between its batch's
    rollback and the failure being recorded, so each bomb (a handler error, or a database error
    that aborts the transaction) has exactly one attempt."""
    from handlers import routers

    h = Harness(database_url, routers=[*routers(), exploding_router()], clock=clock,
                inbound={"max_attempts": 3, "batch_size": 4})
    try:
        h.runtime.processor.stop()
        bombs = 30
        for n in range(bombs):
            bomb_text = f"一直炸{n}" if n % 2 else f"一直坏{n}"
            h.runtime.inbox.accept("mp", text_push(f"oBOMB{n:03d}", f"7{n:04d}", bomb_text))
            h.runtime.inbox.accept("mp", text_push(f"oCALM{n:03d}", f"8{n:04d}", f"你好{n}"))
        while h.runtime.inbox.ingest():
            pass
        drained = run_beside_each_other(
            [Processor(h.runtime.inbox, h.db, clock, h.config.inbound) for _ in range(3)])
        with h.db.session() as session:
            attempts = session.execute(select(Callback.status, Callback.attempts)
                                       .where(Callback.body.contains("一直"))).all()
        assert sorted(attempts) == [("failed", 1)] * bombs
        assert drained == 2 * bombs  # each bomb tried once, each neighbour processed once
        assert sorted(stored(h)) == sorted(f"你好{n}" for n in range(bombs))
    finally:
        h.close()


def run_beside_each_other(processors_: list[Processor]) -> int:
    """Each processor runs batches on its own thread until it finds nothing to do."""
    done: list[int] = []
    errors: list[BaseException] = []

    def run(processor: Processor) -> None:
        try:
            count = 0
            while moved := processor.run_batch():
                count += moved
            done.append(count)
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in processors_]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return sum(done)


def stored(h: Harness) -> list[str]:
    with h.db.session() as session:
        return list(session.scalars(select(Message.content).where(Message.direction == "in")))


def bomb(h: Harness) -> tuple[str, int]:
    with h.db.session() as session:
        row = session.execute(select(Callback.status, Callback.attempts)
                              .where(Callback.body.contains("一直炸"))).one()
    return row.status, row.attempts


def worker_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "SIYU_CONFIG": str(ROOT / "config.example.toml"), "SIYU_DATABASE__URL": database_url,
            "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks"),
           "SIYU_BOT__TAG_RULES": str(ROOT / "rules" / "tags.toml"), "SIYU_LOGGING__LEVEL": "WARNING",
           "SIYU_WECOM__ENABLED": "false"}  # the workers call no WeCom API


def store_texts(h: Harness, customers: int, per_customer: int) -> int:
    for n in range(per_customer):
        for c in range(customers):
            h.runtime.inbox.accept("mp", text_push(f"oORDER{c:03d}", f"{c:03d}{n:04d}", f"第{n}条"))
    return customers * per_customer


def processors(database_url: str, count: int, batch_size: int, slow: float) -> list[subprocess.Popen[str]]:
    workers = [subprocess.Popen([sys.executable, "-m", "tests.inbound.processor_worker", str(batch_size), str(slow)],
                                cwd=ROOT, env=worker_env(database_url), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(count)]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    return workers


def assert_each_processed_once_in_order(h: Harness, total: int) -> None:
    with h.db.session() as session:
        statuses = dict(session.execute(select(Callback.status, func.count()).group_by(Callback.status)).all())
        assert statuses == {"processed": total}
        rows = session.execute(select(Message.customer_id, Message.callback_id).where(Message.direction == "in")
                               .order_by(Message.id)).all()
    assert len(rows) == total and len({callback_id for _, callback_id in rows}) == total  # once each
    by_customer: dict[int, list[int]] = {}
    for customer_id, callback_id in rows:
        by_customer.setdefault(customer_id, []).append(callback_id)
    assert all(ids == sorted(ids) for ids in by_customer.values())  # stored in the order received


@pytest.mark.postgres
def test_three_processors_keep_each_customers_order(postgres_server_url: str) -> None:
    from tests.conftest import truncate_all

    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    try:
        h.runtime.processor.stop()
        total = store_texts(h, customers=6, per_customer=25)
        workers = processors(postgres_server_url, 3, batch_size=7, slow=0)
        outputs = [worker.communicate(timeout=120)[0] for worker in workers]
        assert all(worker.returncode == 0 for worker in workers), outputs
        assert_each_processed_once_in_order(h, total)
    finally:
        h.close()


@pytest.mark.postgres
def test_a_processor_takes_no_newer_callback_of_a_customer_past_one_another_processor_holds(
        postgres_server_url: str) -> None:
    """The customer's oldest waiting callback is free, the next one is claimed by another processor
    (which has not reached its customer lock yet): this batch takes the oldest only, not the third,
    which would be handled before the second."""
    from tests.conftest import truncate_all

    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    try:
        h.runtime.processor.stop()
        first, second, third = (h.runtime.inbox.accept("mp", text_push("oGAP", f"6{n:04d}", f"第{n}条"))[0]
                                for n in range(3))
        with h.db.session() as other, h.db.session() as session:
            other.execute(select(Callback.id).where(Callback.id == second).with_for_update())
            assert [c.id for c in h.runtime.processor.claim(session)] == [first]
    finally:
        h.close()


@pytest.mark.postgres
def test_a_processor_killed_mid_batch_loses_and_duplicates_nothing(postgres_server_url: str) -> None:
    from tests.conftest import truncate_all

    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    try:
        total = store_texts(h, customers=4, per_customer=20)
        doomed = processors(postgres_server_url, 2, batch_size=30, slow=0.05)
        time.sleep(1.0)  # both are inside a batch by now
        for worker in doomed:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        with h.db.session() as session:
            partly = session.scalar(select(func.count()).select_from(Callback).where(Callback.status == "processed"))
        assert partly < total
        survivors = processors(postgres_server_url, 2, batch_size=30, slow=0)
        outputs = [worker.communicate(timeout=120)[0] for worker in survivors]
        assert all(worker.returncode == 0 for worker in survivors), outputs
        assert_each_processed_once_in_order(h, total)
    finally:
        h.close()
