"""The Official Account API through the bot's MpClient, over HTTP."""

from __future__ import annotations

import pytest
import requests
from wechatpy.exceptions import WeChatClientException

from bot.simulator import RunningServer, SimulatorClient, SimulatorConfig
from bot.wechat.clients import MpClient


def test_custom_messages_only_in_the_48_hour_window(mp: MpClient, sim: SimulatorClient) -> None:
    sim.mp_subscribe("oFan")
    sim.advance_clock(49 * 3600)
    with pytest.raises(WeChatClientException) as stale:
        mp.message.send_text("oFan", "太晚了")
    sim.mp_text("oFan", "你好")

    for n in range(5):
        mp.message.send_text("oFan", f"回复 {n}")
    with pytest.raises(WeChatClientException) as sixth:
        mp.message.send_text("oFan", "第 6 条")
    sim.advance_clock(47 * 3600)
    with pytest.raises(WeChatClientException) as still_used_up:
        mp.message.send_text("oFan", "47 小时后")

    assert stale.value.errcode == 45015                                   # out of time
    assert sixth.value.errcode == still_used_up.value.errcode == 45047    # the count is used up
    assert sim.delivered(api="mp/message/custom/send", to="oFan") == [f"回复 {n}" for n in range(5)]


@pytest.mark.parametrize("interaction", ["subscribe", "click", "scan"])
def test_a_subscribe_click_or_scan_opens_only_3_messages_within_a_minute(
    mp: MpClient, sim: SimulatorClient, interaction: str
) -> None:
    sim.mp_subscribe("oFan")
    sim.advance_clock(120)
    {"subscribe": lambda: sim.mp_subscribe("oFan"), "click": lambda: sim.mp_click("oFan", "MENU_PRICE"),
     "scan": lambda: sim.mp_scan("oFan", "store_sh")}[interaction]()
    for n in range(3):
        mp.message.send_text("oFan", f"欢迎 {n}")
    with pytest.raises(WeChatClientException) as fourth:
        mp.message.send_text("oFan", "第 4 条")
    sim.mp_click("oFan", "MENU_PRICE")
    mp.message.send_text("oFan", "再次点击后")
    sim.advance_clock(61)
    with pytest.raises(WeChatClientException) as after_a_minute:
        mp.message.send_text("oFan", "一分钟后")

    assert fourth.value.errcode == 45047
    assert after_a_minute.value.errcode == 45015
    assert len(sim.delivered(api="mp/message/custom/send", to="oFan")) == 4


def test_a_click_does_not_shorten_the_window_a_message_opened(mp: MpClient, sim: SimulatorClient) -> None:
    sim.mp_subscribe("oFan")
    sim.mp_text("oFan", "你好")
    sim.mp_click("oFan", "MENU_PRICE")
    sim.advance_clock(3600)
    mp.message.send_text("oFan", "一小时后仍可回复")

    assert sim.delivered(api="mp/message/custom/send", to="oFan") == ["一小时后仍可回复"]


def test_template_message_works_outside_the_window(mp: MpClient, sim: SimulatorClient) -> None:
    sim.mp_subscribe("oFan")
    sim.advance_clock(72 * 3600)

    result = mp.message.send_template("oFan", "TPL_ORDER", {"keyword1": {"value": "订单已发货"}})
    with pytest.raises(WeChatClientException) as no_template:
        mp.message.send_template("oFan", "", {})
    sim.mp_unsubscribe("oFan")
    with pytest.raises(WeChatClientException) as unsubscribed:
        mp.message.send_template("oFan", "TPL_ORDER", {})

    assert isinstance(result["msgid"], int)
    assert no_template.value.errcode == 40037
    assert unsubscribed.value.errcode == 43004
    assert sim.delivered(api="mp/message/template/send") == ["keyword1: 订单已发货"]


def test_template_messages_lose_first_and_remark_and_fields_are_cut_to_20(mp: MpClient, sim: SimulatorClient) -> None:
    sim.mp_subscribe("oFan")
    mp.message.send_template("oFan", "TPL_CLASS", {
        "first": {"value": "您好，您预约的课程即将开始"},
        "keyword1": {"value": "少儿编程进阶班（第三期）周六上午小班课程体验"},
        "keyword2": {"value": "11月8日\n10:00"}, "remark": {"value": "如需调课请回复本消息"}})

    [record] = sim.sent(api="mp/message/template/send")
    assert record["dropped_fields"] == ["first", "remark"]
    assert record["text"] == "keyword1: 少儿编程进阶班（第三期）周六上午小班课程\nkeyword2: 11月8日10:00"


def test_user_info_has_no_nickname(mp: MpClient, sim: SimulatorClient) -> None:
    sim.mp_subscribe("oFan", nickname="小美", unionid="uFan")
    info = mp.user.get("oFan")

    assert "nickname" not in info and "headimgurl" not in info
    assert (info["subscribe"], info["unionid"]) == (1, "uFan")


def test_a_new_mp_token_invalidates_the_previous_one(mp: MpClient, sim_server: RunningServer,
                                                     sim_config: SimulatorConfig) -> None:
    old = mp.access_token
    other_process = MpClient(sim_config.mp_app_id, sim_config.mp_secret,
                             api_base_url=f"{sim_server.url}/mp/cgi-bin/")
    other_process.fetch_access_token()

    answer = requests.post(f"{sim_server.url}/mp/cgi-bin/message/custom/send", params={"access_token": old},
                           json={}).json()

    assert answer["errcode"] == 40001


def test_wrong_mp_secret_is_40001(sim_server: RunningServer, sim_config: SimulatorConfig) -> None:
    client = MpClient(sim_config.mp_app_id, "wrong", api_base_url=f"{sim_server.url}/mp/cgi-bin/")

    with pytest.raises(WeChatClientException) as error:
        client.fetch_access_token()

    assert error.value.errcode == 40001
