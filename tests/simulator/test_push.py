"""Callbacks pushed to a stand-in bot decrypt and verify; passive replies are decrypted and logged."""

from __future__ import annotations

from typing import Any

from bot.simulator import SimulatorClient, SimulatorConfig, create_simulator, serve_in_thread
from bot.wechat.clients import WeComClient
from tests.simulator.stand_in import StandInBot

CONFIG = SimulatorConfig()


def test_adding_a_guide_pushes_add_external_contact(sim: SimulatorClient, stand_in_bot: StandInBot) -> None:
    added = sim.add_customer("小美", userid="guide_li", state="store_sh")

    [callback] = stand_in_bot.work
    assert added["status"] == 200 and added["reply"] is None
    assert callback.fields == {
        "ToUserName": CONFIG.corp_id,
        "FromUserName": "sys",
        "CreateTime": callback.fields["CreateTime"],
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": "guide_li",
        "ExternalUserID": added["external_userid"],
        "State": "store_sh",
        "WelcomeCode": added["welcome_code"],
    }
    assert added["external_userid"].startswith("wmSIM")


def test_bot_may_call_the_api_while_handling_a_push(
    sim: SimulatorClient, stand_in_bot: StandInBot, wecom: WeComClient
) -> None:
    def welcome(fields: dict[str, Any]) -> None:
        wecom.external_contact.send_welcome_msg(
            {"welcome_code": fields["WelcomeCode"], "text": {"content": "欢迎光临"}})

    stand_in_bot.on_work = welcome
    customer = sim.add_customer("小美", userid="guide_li")["external_userid"]

    assert sim.delivered(api="externalcontact/send_welcome_msg", to=customer) == ["欢迎光临"]


def test_passive_reply_is_decrypted_and_recorded(sim: SimulatorClient, stand_in_bot: StandInBot) -> None:
    stand_in_bot.reply_text = "收到，马上安排"

    answer = sim.staff_text("guide_li", "今日任务")
    sim.mp_subscribe("oFan", scene="poster_618")

    staff_push = stand_in_bot.work[-1].fields
    assert (staff_push["FromUserName"], staff_push["Content"], staff_push["AgentID"]) == (
        "guide_li", "今日任务", str(CONFIG.agent_id))
    assert stand_in_bot.mp[-1].fields["EventKey"] == "qrscene_poster_618"
    assert "<Content><![CDATA[收到，马上安排]]></Content>" in answer["reply"]
    replies = sim.sent(api="passive_reply")
    assert [(r["to"], r["text"], r["channel"], r["encrypted"]) for r in replies] == [
        ("guide_li", "收到，马上安排", "work", True), ("oFan", "收到，马上安排", "mp", True)]


def test_churn_and_mp_events(sim: SimulatorClient, stand_in_bot: StandInBot) -> None:
    customer = sim.add_customer("小美", userid="guide_wang")["external_userid"]
    sim.delete_guide(customer)
    sim.mp_subscribe("oFan")
    sim.mp_click("oFan", "MENU_COUPON")
    sim.mp_text("oFan", "你好")
    sim.mp_unsubscribe("oFan")

    assert stand_in_bot.work[-1].fields["ChangeType"] == "del_follow_user"
    assert [c.fields.get("Event") or c.fields["MsgType"] for c in stand_in_bot.mp] == [
        "subscribe", "CLICK", "text", "unsubscribe"]
    assert stand_in_bot.mp[2].fields["MsgId"] != ""
    assert stand_in_bot.mp[0].query["openid"] == "oFan"


def test_raw_push_repeats_the_identical_body(sim: SimulatorClient, stand_in_bot: StandInBot) -> None:
    xml = ("<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[guide_li]]></FromUserName>"
           "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           "<Content><![CDATA[hi]]></Content><MsgId>42</MsgId></xml>")

    answer = sim.push_work_xml(xml, repeat=3)

    assert len(answer["push"]["attempts"]) == 3
    assert len({(c.body, tuple(sorted(c.query.items()))) for c in stand_in_bot.work}) == 1
    assert len(stand_in_bot.work) == 3


def test_a_bot_that_is_down_is_reported() -> None:
    config = SimulatorConfig.for_bot("http://127.0.0.1:9", push_timeout=1)
    with serve_in_thread(create_simulator(config)) as server:
        answer = SimulatorClient(server.url).staff_text("guide_li", "在吗")

    assert answer["status"] is None
    assert "ConnectionError" in answer["push"]["error"]
