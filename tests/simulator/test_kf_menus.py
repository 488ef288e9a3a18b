"""微信客服 menu messages: WeChat's limits on msgmenu, and a tap coming back with its menu_id."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy.exceptions import WeChatClientException

from bot.simulator import SimulatorClient, SimulatorConfig
from bot.simulator.client import SimulatorError
from bot.wechat.clients import WeComClient
from tests.simulator.stand_in import StandInBot

OPEN_KFID = SimulatorConfig().open_kfid


def menu(*items: tuple[str, str], head: str = "想了解一下吗？") -> dict[str, Any]:
    return {"head_content": head, "tail_content": "",
            "list": [{"type": "click", "click": {"id": item_id, "content": content}} for item_id, content in items]}


def send(wecom: WeComClient, body: dict[str, Any], msgid: str = "m1") -> dict[str, Any]:
    return wecom.post("kf/send_msg", data={"touser": "wmA", "open_kfid": OPEN_KFID, "msgid": msgid,
                                           "msgtype": "msgmenu", "msgmenu": body})


@pytest.mark.parametrize("body", [
    menu(),                                                             # no items
    menu(*[(f"id{n}", f"选项{n}") for n in range(11)]),                 # more than 10
    menu(("x" * 65, "想了解")),                                          # an id over 64 bytes
    menu(("a", "好" * 43)),                                              # content over 128 bytes
    menu(("a", "想了解"), ("a", "不感兴趣")),                            # the same id twice
    menu(("a", "想了解"), head="很" * 342),                              # head over 1024 bytes
])
def test_a_menu_outside_wechats_limits_is_refused(wecom: WeComClient, sim: SimulatorClient, body) -> None:  # type: ignore[no-untyped-def]
    sim.kf_message("wmA", "在吗")
    with pytest.raises(WeChatClientException) as refused:
        send(wecom, body)
    assert refused.value.errcode == 40058


def test_a_tap_comes_back_as_the_customers_text_with_the_menu_id(
    wecom: WeComClient, sim: SimulatorClient, stand_in_bot: StandInBot
) -> None:
    sim.kf_message("wmA", "在吗")
    send(wecom, menu(("fb-1-yes", "想了解更多"), ("fb-1-no", "不感兴趣")))
    [record] = [r for r in sim.sent(api="kf/send_msg") if r["delivered"]]
    assert record["text"] == "想了解一下吗？\n[想了解更多] [不感兴趣]"

    with pytest.raises(SimulatorError):
        sim.kf_menu_click("wmB", "m1", "fb-1-no")                      # not the menu's customer
    with pytest.raises(SimulatorError):
        sim.kf_menu_click("wmA", "m1", "fb-9-no")                      # no such item
    sim.kf_menu_click("wmA", "m1", "fb-1-no")

    event = stand_in_bot.work[-1].fields
    pulled = wecom.kf.sync_msg(event["Token"])["msg_list"]
    assert pulled[-1]["origin"] == 3
    assert pulled[-1]["text"] == {"content": "不感兴趣", "menu_id": "fb-1-no"}
    assert [e["kind"] for e in sim.inbound()][-1] == "menu_click"
