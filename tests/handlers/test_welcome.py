"""The welcome message: within 20 s of the add event, once; 41096 (another app is sending) is tried
again within the window, 41050/41051 are not."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.models import Message
from tests.support.harness import Harness


def _welcomes(h: Harness) -> list[dict]:
    return h.sim.sent(api="externalcontact/send_welcome_msg")


def test_41096_is_retried_within_the_20_seconds(harness: Harness) -> None:
    h = harness
    h.sim.add_customer("小美", userid="guide_li", other_app_sending_seconds=3)
    deadline = time.monotonic() + 15
    while not any(r["delivered"] for r in _welcomes(h)):
        assert time.monotonic() < deadline, _welcomes(h)
        h.settle()
        time.sleep(0.2)

    attempts = _welcomes(h)
    assert [r["errcode"] for r in attempts][0] == 41096
    assert attempts[-1]["errcode"] == 0 and "李导购" in attempts[-1]["text"]
    assert sum(r["delivered"] for r in attempts) == 1


def test_an_expired_welcome_code_is_recorded_not_retried(harness: Harness) -> None:
    h = harness
    h.sim.fault("externalcontact/send_welcome_msg", errcode=41050)
    h.sim.add_customer("小强", userid="guide_li")
    h.settle()
    time.sleep(0.5)
    h.settle()

    assert [r["errcode"] for r in _welcomes(h)] == [41050]
    with h.db.session() as session:
        recorded = session.scalars(select(Message).where(Message.channel == "welcome")).one()
    assert (recorded.status, recorded.errcode) == ("failed", 41050)
