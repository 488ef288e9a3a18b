"""A process that dies after the ack loses nothing: stored callbacks are routed later, and tasks
a dead process had claimed are run again once their lease expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import Callback, Message, Task
from tests.support.harness import Harness

TEXT = ("<xml><ToUserName>gh_x</ToUserName><FromUserName>oCRASH</FromUserName><CreateTime>1700000000</CreateTime>"
        "<MsgType>text</MsgType><Content>还在吗</Content><MsgId>424242</MsgId></xml>")


@pytest.fixture
def h(frozen_harness: Harness) -> Harness:
    return frozen_harness


def test_a_callback_stored_but_never_routed_is_routed_by_the_recovery_job(h: Harness, clock: FrozenClock) -> None:
    callback_id, is_new = h.runtime.inbox.accept("mp", TEXT)  # the process dies right after this commit
    assert is_new
    assert h.runtime.inbox.recover() == 0  # too fresh: the accepting process may still be at it
    clock.advance(minutes=1)
    assert h.runtime.inbox.recover() == 1
    with h.db.session() as session:
        assert session.get_one(Callback, callback_id).status == "processed"
        assert session.scalars(select(Message.content)).all() == ["还在吗"]
    clock.advance(minutes=1)
    assert h.runtime.inbox.recover() == 0  # processed once


def test_a_task_claimed_by_a_dead_process_runs_again_after_its_lease(h: Harness, clock: FrozenClock) -> None:
    with h.db.session() as session:
        session.add(Task(kind="notify_guide", key="notify:crash", run_at=clock.now(), status="running",
                         attempts=1, lease_until=clock.now() + timedelta(minutes=2),
                         payload={"userid": "guide_li", "text": "崩溃前没发出的提醒"}))
    assert h.runtime.tasks.run_due() == 0  # still leased to the dead process
    clock.advance(minutes=3)
    assert h.runtime.tasks.run_due() == 1
    assert h.sim.delivered(api="message/send", to="guide_li") == ["崩溃前没发出的提醒"]
    with h.db.session() as session:
        task = session.scalars(select(Task).where(Task.key == "notify:crash")).one()
        assert (task.status, task.attempts) == ("done", 2)


def test_a_failing_task_is_retried_with_backoff_then_marked_failed(h: Harness, clock: FrozenClock) -> None:
    h.sim.fault("message/send", errcode=45009, times=100)
    with h.db.session() as session:
        session.add(Task(kind="notify_guide", key="notify:limited", run_at=clock.now(),
                         payload={"userid": "guide_li", "text": "限流中"}))
    for _ in range(10):
        h.runtime.tasks.run_due()
        clock.advance(minutes=5)
    with h.db.session() as session:
        task = session.scalars(select(Task).where(Task.key == "notify:limited")).one()
        assert task.status == "failed" and "45009" in task.last_error
