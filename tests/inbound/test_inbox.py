"""No acked push is lost: unique-constraint races resolve by get-or-create, and a callback whose
processing fails is retried with backoff, then dead-lettered where /api/health shows it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.inbound.routing import Router, Update
from bot.models import Callback, Customer, CustomerTag, Message, Tag
from tests.support.harness import Harness

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_first_messages_from_two_processes_lose_nothing(database_url: str) -> None:
    """Two processes, four threads each, every new customer's first message arrives in both at once."""
    customers, threads = 40, 4
    env = {**os.environ, "SIYU_CONFIG": str(ROOT / "config.example.toml"), "SIYU_DATABASE__URL": database_url,
           "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks"),
           "SIYU_BOT__TAG_RULES": str(ROOT / "rules" / "tags.toml"), "SIYU_LOGGING__LEVEL": "WARNING",
           "SIYU_WECOM__ENABLED": "false"}  # the workers call no WeCom API
    start_at = time.time() + 8  # both processes have loaded jieba and built their runtime by then
    workers = [subprocess.Popen([sys.executable, "-m", "tests.inbound.race_worker", role, str(customers),
                                 str(threads), str(start_at)], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for role in ("a", "b")]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    h = Harness(database_url)
    try:
        with h.db.session() as session:
            statuses = dict(session.execute(select(Callback.status, func.count()).group_by(Callback.status)).all())
            assert statuses == {"processed": 2 * customers}, (statuses, outputs)
            assert session.scalar(select(func.count()).select_from(Customer)) == customers
            assert session.scalar(select(func.count()).select_from(Message)) == 2 * customers
            assert session.scalar(select(func.count()).select_from(Tag).where(Tag.name == "状态:退订")) == 1
            assert session.scalar(select(func.count()).select_from(CustomerTag).join(Tag)
                                  .where(Tag.name == "状态:退订")) == customers
            assert session.scalar(select(func.count()).select_from(Customer).where(Customer.opted_out)) == customers
    finally:
        h.close()


class Flaky:
    """A handler that fails on texts saying 炸 while `broken` holds."""

    def __init__(self) -> None:
        self.broken = True
        self.router = Router("flaky")
        self.router.observer("text", channel="mp")(self.observe)

    def observe(self, update: Update) -> None:
        if self.broken and "炸" in update.text:
            raise RuntimeError("flaky handler broke")


@pytest.fixture
def flaky() -> Flaky:
    return Flaky()


@pytest.fixture
def h(database_url: str, clock: FrozenClock, flaky: Flaky) -> Iterator[Harness]:
    from handlers import routers

    harness = Harness(database_url, routers=[*routers(), flaky.router], clock=clock,
                      inbound={"max_attempts": 3, "retry_base_seconds": 2})
    yield harness
    harness.close()


def callback_row(h: Harness) -> Callback:
    with h.db.session() as session:
        return session.scalars(select(Callback).where(Callback.kind == "text")).one()


def stored_texts(h: Harness) -> list[str]:
    with h.db.session() as session:
        return list(session.scalars(select(Message.content).where(Message.direction == "in")))


def test_a_failing_callback_is_retried_with_backoff_and_its_writes_are_not_half_kept(
        h: Harness, clock: FrozenClock, flaky: Flaky, caplog: pytest.LogCaptureFixture) -> None:
    h.sim.mp_subscribe("oFLAKY")
    with caplog.at_level(logging.ERROR):
        h.sim.mp_text("oFLAKY", "炸了吗")  # acked: the push is stored
        h.settle()  # drains beside the bot's own processor: two processors, one attempt counted
    failed = callback_row(h)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "flaky handler broke" in failed.error
    assert stored_texts(h) == []  # the other handlers' writes were rolled back with it
    assert any(f"callback {failed.id}" in record.getMessage() and record.exc_info for record in caplog.records)

    clock.advance(seconds=1)
    assert h.runtime.inbox.recover() == 0  # not due yet: the first retry waits 2 s
    flaky.broken = False
    clock.advance(seconds=2)
    assert h.runtime.inbox.recover() == 1
    retried = callback_row(h)
    assert (retried.status, retried.attempts, retried.error) == ("processed", 2, "")
    assert stored_texts(h) == ["炸了吗"]  # stored once
    assert h.runtime.inbox.recover() == 0


def test_a_callback_that_keeps_failing_is_dead_lettered_and_shown_in_health(
        h: Harness, clock: FrozenClock) -> None:
    h.sim.mp_subscribe("oFLAKY")
    h.sim.mp_subscribe("oCALM")
    h.sim.mp_text("oFLAKY", "一直炸")
    h.sim.mp_text("oCALM", "你好")  # a neighbour is not affected
    for _ in range(6):
        clock.advance(minutes=5)
        h.runtime.inbox.recover()
    dead = callback_row_for(h, "一直炸")
    assert (dead.status, dead.attempts) == ("dead", 3)
    assert stored_texts(h) == ["你好"]

    health = h.api("GET", "/api/health").json()["callbacks"]
    assert health["counts"]["dead"] == 1 and health["counts"]["processed"] == 3  # two subscribes, one text
    assert health["dead_letters"][0]["id"] == dead.id
    assert "flaky handler broke" in health["dead_letters"][0]["error"]

    assert h.runtime.inbox.mark_for_retry([dead.id]) == 1  # after the cause was fixed
    h.runtime.inbox.recover()  # still broken: it fails again, it is not lost
    assert callback_row_for(h, "一直炸").status == "failed"


def callback_row_for(h: Harness, text: str) -> Callback:
    with h.db.session() as session:
        return session.scalars(select(Callback).where(Callback.body.contains(text))).one()
