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

    assert stale.value.errcode == sixth.value.errcode == 45015
    assert sim.delivered(api="mp/message/custom/send", to="oFan") == [f"回复 {n}" for n in range(5)]


def test_template_message_works_outside_the_window(mp: MpClient, sim: SimulatorClient) -> None:
    sim.mp_subscribe("oFan")
    sim.advance_clock(72 * 3600)

    result = mp.message.send_template("oFan", "TPL_ORDER", {"first": {"value": "订单已发货"}})
    with pytest.raises(WeChatClientException) as no_template:
        mp.message.send_template("oFan", "", {})
    sim.mp_unsubscribe("oFan")
    with pytest.raises(WeChatClientException) as unsubscribed:
        mp.message.send_template("oFan", "TPL_ORDER", {})

    assert isinstance(result["msgid"], int)
    assert no_template.value.errcode == 40037
    assert unsubscribed.value.errcode == 43004
    assert sim.delivered(api="mp/message/template/send") == ["first: 订单已发货"]


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
