"""微信客服: the kf event, sync_msg paging and the 48 h / 5 message window of send_msg."""

from __future__ import annotations

import pytest
from wechatpy.exceptions import WeChatClientException

from bot.simulator import SimulatorClient, SimulatorConfig
from bot.wechat.clients import WeComClient
from tests.simulator.stand_in import StandInBot

OPEN_KFID = SimulatorConfig().open_kfid


def test_kf_event_token_pulls_the_messages_page_by_page(
    wecom: WeComClient, sim: SimulatorClient, stand_in_bot: StandInBot
) -> None:
    sim.kf_message("wmA", "在吗")
    sim.kf_message("wmB", "有优惠吗")
    event = stand_in_bot.work[-1].fields
    assert (event["Event"], event["OpenKfId"]) == ("kf_msg_or_event", OPEN_KFID)

    first = wecom.kf.sync_msg(event["Token"], limit=1)
    second = wecom.kf.sync_msg(event["Token"], cursor=first["next_cursor"])
    later = wecom.kf.sync_msg(event["Token"], cursor=second["next_cursor"])

    assert [m["text"]["content"] for m in first["msg_list"]] == ["在吗"]
    assert first["has_more"] == 1
    assert [(m["external_userid"], m["origin"]) for m in second["msg_list"]] == [("wmB", 3)]
    assert second["has_more"] == 0
    assert later["msg_list"] == []


def test_kf_token_is_checked_and_expires_after_10_minutes(wecom: WeComClient, sim: SimulatorClient) -> None:
    token = sim.kf_message("wmA", "在吗")["token"]
    with pytest.raises(WeChatClientException) as made_up:
        wecom.kf.sync_msg("not-a-token")
    sim.advance_clock(600)
    with pytest.raises(WeChatClientException) as expired:
        wecom.kf.sync_msg(token)

    assert made_up.value.errcode == expired.value.errcode == 95007
    pulled = wecom.post("kf/sync_msg", data={"cursor": "", "limit": 1000})   # the token is optional
    assert [m["text"]["content"] for m in pulled["msg_list"]] == ["在吗"]


def test_kf_reply_window_is_5_messages_in_48_hours(wecom: WeComClient, sim: SimulatorClient) -> None:
    """In mode "sync": a refusal at once. The default ("async": taken, then msg_send_fail) is in
    test_kf_events.py."""
    sim.settings(kf_window_errors="sync")
    with pytest.raises(WeChatClientException) as never_wrote:
        wecom.kf_message.send_text("wmA", OPEN_KFID, "你好")
    sim.kf_message("wmA", "在吗")

    for n in range(5):
        wecom.kf_message.send_text("wmA", OPEN_KFID, f"回复 {n}")
    with pytest.raises(WeChatClientException) as sixth:
        wecom.kf_message.send_text("wmA", OPEN_KFID, "第 6 条")
    sim.kf_message("wmA", "还有问题")
    wecom.kf_message.send_text("wmA", OPEN_KFID, "新窗口")
    sim.advance_clock(48 * 3600)
    with pytest.raises(WeChatClientException) as after_48h:
        wecom.kf_message.send_text("wmA", OPEN_KFID, "太晚了")

    assert never_wrote.value.errcode == sixth.value.errcode == after_48h.value.errcode == 45015
    assert len(sim.delivered(api="kf/send_msg", to="wmA")) == 6


def test_a_repeated_kf_msgid_is_an_error_not_a_replay(wecom: WeComClient, sim: SimulatorClient) -> None:
    sim.kf_message("wmA", "在吗")
    sim.fault("kf/send_msg", http_status=503)

    with pytest.raises(WeChatClientException):
        wecom.kf_message.send_text("wmA", OPEN_KFID, "您好", msgid="reply-1")    # refused: not taken
    first = wecom.kf_message.send_text("wmA", OPEN_KFID, "您好", msgid="reply-1")
    with pytest.raises(WeChatClientException) as again:
        wecom.kf_message.send_text("wmA", OPEN_KFID, "您好", msgid="reply-1")

    assert first["msgid"] == "reply-1"
    assert again.value.errcode == 40058
    assert sim.delivered(api="kf/send_msg", to="wmA") == ["您好"]
    assert [r.get("duplicate", False) for r in sim.sent(api="kf/send_msg") if r["errcode"] == 40058] == [True]


def test_kf_account_list(wecom: WeComClient) -> None:
    accounts = wecom.kf.get_account_list()["account_list"]

    assert [a["open_kfid"] for a in accounts] == [OPEN_KFID, "wkSIM0002"]  # the app manages two accounts


def test_kf_session_states_follow_the_documented_transitions(wecom: WeComClient, sim: SimulatorClient) -> None:
    def state() -> int:
        return wecom.post("kf/service_state/get", data={"open_kfid": OPEN_KFID, "external_userid": "wmA"})[
            "service_state"]

    def trans(to: int, servicer: str | None = None) -> dict:
        return wecom.post("kf/service_state/trans", data={"open_kfid": OPEN_KFID, "external_userid": "wmA",
                                                          "service_state": to, "servicer_userid": servicer})

    before = state()                                      # not started
    sim.kf_message("wmA", "在吗")
    new = state()
    wecom.kf_message.send_text("wmA", OPEN_KFID, "您好，我是智能助手")
    answered = state()                                     # answering through the API takes the session
    with pytest.raises(WeChatClientException) as not_a_servicer:
        trans(3, "nobody")
    handed = trans(3, "guide_li")
    with pytest.raises(WeChatClientException) as back_to_bot:
        trans(1)
    trans(4)
    with pytest.raises(WeChatClientException) as after_end:
        trans(1)

    assert (before, new, answered) == (4, 0, 1)
    assert handed["msg_code"]
    assert not_a_servicer.value.errcode == 95014
    assert back_to_bot.value.errcode == after_end.value.errcode == 95016


def test_kf_send_fails_with_95018_while_a_human_servicer_holds_the_session(
    wecom: WeComClient, sim: SimulatorClient
) -> None:
    sim.kf_message("wmA", "我要找人工")
    sim.kf_servicer_takes("wmA", "guide_li")
    with pytest.raises(WeChatClientException) as human:
        wecom.kf_message.send_text("wmA", OPEN_KFID, "机器人插话")
    info = wecom.post("kf/service_state/get", data={"open_kfid": OPEN_KFID, "external_userid": "wmA"})
    sim.kf_end_session("wmA")
    with pytest.raises(WeChatClientException) as ended:
        wecom.kf_message.send_text("wmA", OPEN_KFID, "结束后")
    sim.kf_message("wmA", "又来了")                        # a new message starts a new session
    wecom.kf_message.send_text("wmA", OPEN_KFID, "欢迎回来")

    assert human.value.errcode == ended.value.errcode == 95018
    assert (info["service_state"], info["servicer_userid"]) == (3, "guide_li")
    assert sim.delivered(api="kf/send_msg", to="wmA") == ["欢迎回来"]
