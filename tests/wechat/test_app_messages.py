"""App messages to staff: counted per member in the database, merged into a digest before WeChat's
30/minute limit (WeChat drops what goes over it), never dropped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import Message
from bot.assembly import build_runtime
from handlers import routers
from tests.support.harness import Harness


def _dropped(h: Harness) -> list[str]:
    return [r["text"] for r in h.sim.sent(api="message/send") if not r["delivered"]]


def test_a_burst_of_forwards_over_30_a_minute_is_merged_and_nothing_is_dropped(
    frozen_harness: Harness, clock: FrozenClock
) -> None:
    h = frozen_harness
    texts = [f"客户小美 #{n}：请问有货吗？" for n in range(45)]
    results = [h.runtime.outbound.send_app_text("guide_li", text, channel="forward") for text in texts]

    assert all(result.ok for result in results)
    assert sum(bool(result.response.get("held")) for result in results) == 15
    assert len(h.sim.delivered(api="message/send", to="guide_li")) == 30
    h.settle()
    assert len(h.sim.delivered(api="message/send", to="guide_li")) == 30   # the window is still full

    clock.advance(timedelta(seconds=63))
    h.sim.advance_clock(63)
    h.settle()

    delivered = h.sim.delivered(api="message/send", to="guide_li")
    assert len(delivered) == 31                                            # one digest for the 15 held
    digest = delivered[-1]
    assert digest.startswith("【消息合并】") and all(text in digest for text in texts[30:])
    assert _dropped(h) == []
    with h.db.session() as session:
        statuses = session.scalars(select(Message.status).where(Message.channel == "forward")).all()
    assert sorted(set(statuses)) == ["sent"]


def test_the_count_is_shared_by_every_process(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    other = build_runtime(h.config, routers(), clock)                     # another worker process
    try:
        for n in range(20):
            h.runtime.outbound.send_app_text("guide_li", f"甲 {n}")
            other.outbound.send_app_text("guide_li", f"乙 {n}")
    finally:
        other.close()

    assert len(h.sim.delivered(api="message/send", to="guide_li")) == 30
    assert _dropped(h) == []


def test_other_members_are_counted_apart(frozen_harness: Harness) -> None:
    h = frozen_harness
    for n in range(30):
        h.runtime.outbound.send_app_text("guide_li", f"提醒 {n}")
    wang = h.runtime.outbound.send_app_text("guide_wang", "王导购的消息")

    assert not wang.response.get("held")
    assert h.sim.delivered(api="message/send", to="guide_wang") == ["王导购的消息"]
