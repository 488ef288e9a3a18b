"""微信客服 as it really is: success is not delivery (msg_send_fail through kf/sync_msg), enter_session,
and kf/sync_msg without open_kfid mixing every account."""

from __future__ import annotations

import time

import pytest

from bot.simulator import SimulatorClient, SimulatorConfig
from bot.wechat.clients import WeComClient
from tests.simulator.stand_in import StandInBot

OPEN_KFID = SimulatorConfig().open_kfid
OTHER_KFID = "wkSIM0002"


@pytest.fixture
def sim_config(stand_in_bot: StandInBot) -> SimulatorConfig:
    # The worse of the two plausible answers: an exhausted window fails only later, as an event.
    return SimulatorConfig.for_bot(stand_in_bot.url, kf_window_errors="async")


def _events(wecom: WeComClient, stand_in_bot: StandInBot, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while len([c for c in stand_in_bot.work if c.fields.get("Event") == "kf_msg_or_event"]) < count:
        assert time.monotonic() < deadline, "no kf_msg_or_event callback"
        time.sleep(0.05)
    token = stand_in_bot.work[-1].fields["Token"]
    pulled = wecom.post("kf/sync_msg", data={"token": token, "open_kfid": OPEN_KFID})["msg_list"]
    return [m for m in pulled if m["origin"] == 4]


def test_sends_over_the_window_are_taken_then_reported_failed(
    wecom: WeComClient, sim: SimulatorClient, stand_in_bot: StandInBot
) -> None:
    sim.kf_message("wmA", "在吗")
    for n in range(5):
        wecom.kf_message.send_text("wmA", OPEN_KFID, f"回复 {n}")
    sixth = wecom.kf_message.send_text("wmA", OPEN_KFID, "第 6 条")          # errcode 0 ...
    [over_limit] = _events(wecom, stand_in_bot, 2)
    sim.advance_clock(48 * 3600)
    late = wecom.kf_message.send_text("wmA", OPEN_KFID, "太晚了")
    events = _events(wecom, stand_in_bot, 3)

    assert over_limit["event"]["event_type"] == "msg_send_fail"
    assert (over_limit["event"]["fail_msgid"], over_limit["event"]["fail_type"]) == (sixth["msgid"], 6)
    assert (events[-1]["event"]["fail_msgid"], events[-1]["event"]["fail_type"]) == (late["msgid"], 4)
    assert len(sim.delivered(api="kf/send_msg", to="wmA")) == 5               # ... and not delivered


def test_a_customer_who_refuses_gets_nothing_and_the_send_fails_later(
    wecom: WeComClient, sim: SimulatorClient, stand_in_bot: StandInBot
) -> None:
    sim.kf_message("wmA", "在吗")
    sim.kf_refuse("wmA")
    taken = wecom.kf_message.send_text("wmA", OPEN_KFID, "打扰了")
    [refused] = _events(wecom, stand_in_bot, 2)

    assert (refused["event"]["fail_msgid"], refused["event"]["fail_type"]) == (taken["msgid"], 10)
    assert sim.delivered(api="kf/send_msg", to="wmA") == []


def test_enter_session_carries_a_welcome_code(
    wecom: WeComClient, sim: SimulatorClient, stand_in_bot: StandInBot
) -> None:
    entered = sim.kf_enter("wmA", scene="store_sh")
    [event] = _events(wecom, stand_in_bot, 1)

    assert event["event"]["event_type"] == "enter_session"
    assert (event["event"]["welcome_code"], event["event"]["scene"]) == (entered["welcome_code"], "store_sh")


def test_sync_msg_without_open_kfid_mixes_the_accounts(wecom: WeComClient, sim: SimulatorClient) -> None:
    token = sim.kf_message("wmA", "问售前", open_kfid=OPEN_KFID)["token"]
    sim.kf_message("wmB", "问售后", open_kfid=OTHER_KFID)

    mixed = wecom.kf.sync_msg(token)["msg_list"]                                # what wechatpy can do
    own = wecom.post("kf/sync_msg", data={"token": token, "open_kfid": OTHER_KFID})["msg_list"]

    assert [(m["open_kfid"], m["text"]["content"]) for m in mixed] == [(OPEN_KFID, "问售前"), (OTHER_KFID, "问售后")]
    assert [m["text"]["content"] for m in own] == ["问售后"]
