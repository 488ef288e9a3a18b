"""A burst of forwards over WeChat's app-message limit is merged, never dropped; the kf hand-off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from tests.support.guides import kf_customer, last_app_message, say, writes
from tests.support.harness import Harness


def test_a_burst_over_the_per_member_limit_is_merged_into_a_digest(frozen_harness: Harness,
                                                                    clock: FrozenClock) -> None:
    h = frozen_harness
    external_userid, _ = kf_customer(h, "小美")
    for n in range(35):
        h.sim.kf_message(external_userid, f"第{n + 1}个问题：水光针多少钱？")
    h.settle(timeout=60)
    clock.advance(timedelta(seconds=70))
    h.sim.advance_clock(70)
    h.settle(timeout=30)

    sent = h.sim.sent(api="message/send", to="guide_li")
    assert all(record["errcode"] == 0 for record in sent)  # WeChat never had to refuse or drop one
    texts = [record["text"] for record in sent if record["delivered"]]
    assert sum(text.count("【客户消息】") for text in texts) == 35
    assert any(text.startswith("【消息合并】") for text in texts)
    assert len(texts) < 35


@pytest.fixture
def handoff(database_url: str, clock: FrozenClock) -> Iterator[Harness]:
    h = Harness(database_url, clock=clock, guides={"kf_handoff": True})
    h.seed_staff()
    yield h
    h.close()


def test_the_kf_session_is_handed_to_the_guide_who_then_answers_in_wecom(handoff: Harness) -> None:
    h = handoff
    external_userid, customer_id = kf_customer(h, "小美")

    writes(h, external_userid, "有人吗？想问问价格")

    wecom = h.runtime.outbound.wecom
    assert wecom is not None
    state = wecom.post("kf/service_state/get", data={"open_kfid": h.config.wecom.open_kfid,
                                                    "external_userid": external_userid})
    assert state["service_state"] == 3 and state["servicer_userid"] == "guide_li"
    say(h, "guide_li", f"#A{customer_id} 您好")
    told = last_app_message(h, "guide_li")
    assert told.startswith("小美的微信客服会话已转给人工接待，请在企业微信「微信客服」里直接回复")
