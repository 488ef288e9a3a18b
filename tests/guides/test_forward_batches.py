"""Forwards are sent a claimed batch at a time: each reaches its guide once and in order, and a
send WeChat refuses is retried, then given up, without holding back other guides' forwards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.guides.relay import FORWARD_TASK
from bot.jobs.tasks import LEASE, MAX_ATTEMPTS
from bot.models import GuideForward, Task
from tests.inbound.race_worker import text_push
from tests.support.guides import SETTLE_SECONDS, app_messages
from tests.support.harness import Harness

RETRY = timedelta(seconds=31)  # past RetryLater's 30 s


def quoted(messages: list[str]) -> list[str]:
    """The customer's words each forward quotes (「...」)."""
    return [m.split("「", 1)[1].split("」", 1)[0] for m in messages]


def push_in_one_batch(h: Harness, texts: list[tuple[str, str]]) -> None:
    """New followers write (openid, text) in this order; routed together, their forwards queued together."""
    h.runtime.processor.stop()
    for n, (openid, text) in enumerate(texts):
        h.runtime.inbox.accept("mp", text_push(openid, f"8{n:04d}", text))


def forward_tasks(h: Harness) -> list[Task]:
    with h.db.session() as session:
        return list(session.scalars(select(Task).where(Task.kind == FORWARD_TASK).order_by(Task.id)))


def test_a_refused_forward_is_retried_and_its_guides_later_forwards_wait_behind_it(
        frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    # New followers go to the default guides in turn: A and C to guide_li, B to guide_wang.
    push_in_one_batch(h, [("oBatchA", "甲一"), ("oBatchB", "乙一"), ("oBatchC", "丙一"), ("oBatchA", "甲二")])
    h.sim.fault("message/send", errcode=45009, times=1)  # the batch's first send: A's first forward

    h.settle(timeout=SETTLE_SECONDS)

    assert quoted(app_messages(h, "guide_wang")) == ["乙一"]  # not held back by guide_li's failure
    assert app_messages(h, "guide_li") == []  # C's and A's second wait behind A's first
    tasks = forward_tasks(h)
    assert [t.status for t in tasks] == ["pending", "done", "pending", "pending"]
    assert [t.attempts for t in tasks] == [1, 1, 0, 0]  # the ones put back untried used no attempt

    clock.advance(RETRY)
    h.settle(timeout=SETTLE_SECONDS)

    assert quoted(app_messages(h, "guide_li")) == ["甲一", "丙一", "甲二"]  # once each, in order
    assert quoted(app_messages(h, "guide_wang")) == ["乙一"]
    assert [t.status for t in forward_tasks(h)] == ["done"] * 4
    with h.db.session() as session:
        assert session.scalars(select(GuideForward.status).order_by(GuideForward.id)).all() == ["sent"] * 4


def test_a_forward_refused_every_time_is_given_up_and_the_next_ones_still_go(
        frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    push_in_one_batch(h, [("oBatchA", "甲一")])
    h.sim.fault("message/send", errcode=45009, times=MAX_ATTEMPTS)

    h.settle(timeout=SETTLE_SECONDS)
    for _ in range(MAX_ATTEMPTS - 1):
        clock.advance(RETRY)
        h.settle(timeout=SETTLE_SECONDS)

    [task] = forward_tasks(h)
    assert (task.status, task.attempts) == ("failed", MAX_ATTEMPTS) and "45009" in task.last_error
    assert app_messages(h, "guide_li") == []
    h.runtime.inbox.accept("mp", text_push("oBatchA", "89999", "甲二"))
    h.settle(timeout=SETTLE_SECONDS)
    assert quoted(app_messages(h, "guide_li")) == ["甲二"]


def test_a_runner_that_dies_between_two_sends_loses_and_repeats_no_forward(
        frozen_harness: Harness, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    h = frozen_harness
    push_in_one_batch(h, [("oBatchA", "甲一"), ("oBatchA", "甲二"), ("oBatchA", "甲三")])
    send, calls = h.runtime.outbound.send_app_text, []

    def dies_before_the_second_send(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:
            raise SystemExit("the worker was killed")  # what a kill leaves: no outcome after this point
        return send(*args, **kwargs)

    monkeypatch.setattr(h.runtime.outbound, "send_app_text", dies_before_the_second_send)
    with pytest.raises(SystemExit):
        h.settle(timeout=SETTLE_SECONDS)
    assert quoted(app_messages(h, "guide_li")) == ["甲一"]
    monkeypatch.setattr(h.runtime.outbound, "send_app_text", send)

    clock.advance(LEASE + timedelta(seconds=1))  # the dead runner's lease runs out
    h.settle(timeout=SETTLE_SECONDS)

    assert quoted(app_messages(h, "guide_li")) == ["甲一", "甲二", "甲三"]
    assert [t.status for t in forward_tasks(h)] == ["done"] * 3
