"""The WeCom API through the bot's own WeComClient, over HTTP."""

from __future__ import annotations

import time

import pytest
import requests
from wechatpy.exceptions import APILimitedException, WeChatClientException

from bot.simulator import RunningServer, SimulatorClient, SimulatorConfig
from bot.wechat.clients import WeComClient

AGENT_ID = SimulatorConfig().agent_id


def test_app_message_reaches_the_guide(wecom: WeComClient, sim: SimulatorClient) -> None:
    result = wecom.message.send_text(AGENT_ID, "guide_li|nobody", "今日待办：3 位客户待回访")

    assert result["invaliduser"] == "nobody"
    [record] = sim.sent(api="message/send", to="guide_li")
    assert record["text"] == "今日待办：3 位客户待回访"
    assert record["errcode"] == 0 and record["delivered"]


def test_wrong_secret_is_40001(sim_server: RunningServer, sim_config: SimulatorConfig) -> None:
    client = WeComClient(sim_config.corp_id, "wrong", api_base_url=f"{sim_server.url}/cgi-bin/")

    with pytest.raises(WeChatClientException) as error:
        client.fetch_access_token()

    assert error.value.errcode == 40001


def test_missing_or_unknown_token_is_40014(sim_server: RunningServer) -> None:
    url = f"{sim_server.url}/cgi-bin/message/send"

    assert requests.post(url, json={}).json()["errcode"] == 40014
    assert requests.post(url, params={"access_token": "made-up"}, json={}).json()["errcode"] == 40014


def test_expired_token_is_refreshed_by_wechatpy(wecom: WeComClient, sim: SimulatorClient,
                                                sim_server: RunningServer) -> None:
    wecom.message.send_text(AGENT_ID, "guide_li", "第一条")
    old_token = wecom.access_token
    sim.advance_clock(7201)

    raw = requests.post(f"{sim_server.url}/cgi-bin/message/send", params={"access_token": old_token}, json={})
    assert raw.json()["errcode"] == 42001
    wecom.message.send_text(AGENT_ID, "guide_li", "第二条")  # 42001, refresh, retry: invisible here

    assert wecom.access_token != old_token
    assert sim.delivered(api="message/send", to="guide_li") == ["第一条", "第二条"]


def test_app_messages_over_the_member_limit_are_dropped_silently_and_block_the_member(
    wecom: WeComClient, sim: SimulatorClient
) -> None:
    for n in range(30):
        wecom.message.send_text(AGENT_ID, "guide_li", f"提醒 {n}")

    over = wecom.message.send_text(AGENT_ID, "guide_li", "第 31 条")      # errcode 0, and dropped
    wecom.message.send_text(AGENT_ID, "guide_wang", "别人不受影响")
    sim.advance_clock(59)
    wecom.message.send_text(AGENT_ID, "guide_li", "还在封禁中")           # blocked for 60 s after the drop
    sim.advance_clock(2)
    wecom.message.send_text(AGENT_ID, "guide_li", "封禁结束后可以再发")

    assert over["errcode"] == 0
    dropped = [r["text"] for r in sim.sent(api="message/send") if not r["delivered"]]
    assert dropped == ["第 31 条", "还在封禁中"]
    assert sim.delivered(api="message/send", to="guide_li")[-1] == "封禁结束后可以再发"
    assert sim.delivered(api="message/send", to="guide_wang") == ["别人不受影响"]


def test_app_messages_over_1000_an_hour_block_the_member_for_an_hour(
    wecom: WeComClient, sim: SimulatorClient
) -> None:
    for minute in range(34):
        for n in range(30):
            wecom.message.send_text(AGENT_ID, "guide_li", f"{minute}-{n}")
        sim.advance_clock(61)
    sim.advance_clock(600)
    wecom.message.send_text(AGENT_ID, "guide_li", "十分钟后仍封禁")
    sim.advance_clock(3600)
    wecom.message.send_text(AGENT_ID, "guide_li", "一小时后")

    delivered = sim.delivered(api="message/send", to="guide_li")
    assert len(delivered) == 1001 and delivered[-1] == "一小时后"
    assert "十分钟后仍封禁" not in delivered


def test_welcome_message_within_20_seconds_once(wecom: WeComClient, sim: SimulatorClient) -> None:
    added = sim.add_customer("小美", userid="guide_li", state="store_sh")
    template = {"welcome_code": added["welcome_code"], "text": {"content": "欢迎小美！"}}

    wecom.external_contact.send_welcome_msg(template)
    with pytest.raises(WeChatClientException) as twice:
        wecom.external_contact.send_welcome_msg(template)

    late = sim.add_customer("小强", userid="guide_li")
    sim.advance_clock(21)
    with pytest.raises(WeChatClientException) as too_late:
        wecom.external_contact.send_welcome_msg({"welcome_code": late["welcome_code"], "text": {"content": "欢迎"}})

    assert twice.value.errcode == 41051                                   # already sent
    assert too_late.value.errcode == 41050                                # expired
    assert sim.delivered(api="externalcontact/send_welcome_msg") == ["欢迎小美！"]
    assert sim.sent(api="externalcontact/send_welcome_msg")[0]["to"] == added["external_userid"]


def test_welcome_code_held_by_another_app_is_41096_until_it_lets_go(wecom: WeComClient, sim: SimulatorClient) -> None:
    added = sim.add_customer("小美", userid="guide_li", other_app_sending_seconds=5)
    template = {"welcome_code": added["welcome_code"], "text": {"content": "欢迎小美！"}}

    with pytest.raises(WeChatClientException) as busy:
        wecom.external_contact.send_welcome_msg(template)
    sim.advance_clock(6)
    wecom.external_contact.send_welcome_msg(template)

    assert busy.value.errcode == 41096
    assert sim.delivered(api="externalcontact/send_welcome_msg") == ["欢迎小美！"]


def test_corp_tags_and_contact_details(wecom: WeComClient, sim: SimulatorClient) -> None:
    customer = sim.add_customer("小美", userid="guide_li", state="store_sh")["external_userid"]
    group = wecom.external_contact.add_corp_tag(None, "客户意向", None, [{"name": "高意向"}, {"name": "低意向"}])
    high = group["tag_group"]["tag"][0]["id"]

    wecom.external_contact.mark_tag("guide_li", customer, add_tag=[high])
    details = wecom.external_contact.get(customer)
    with pytest.raises(WeChatClientException) as unknown_tag:
        wecom.external_contact.mark_tag("guide_li", customer, add_tag=["etNOPE"])

    [follow] = details["follow_user"]
    assert details["external_contact"]["name"] == "小美"
    assert follow["state"] == "store_sh"
    assert [t["tag_name"] for t in follow["tags"]] == ["高意向"]
    assert unknown_tag.value.errcode == 40068
    listed = wecom.external_contact.get_corp_tag_list()["tag_group"]
    assert [t["name"] for t in listed[0]["tag"]] == ["高意向", "低意向"]


def test_mass_message_waits_for_the_guide_and_the_quota_is_checked_when_it_is_sent(
    wecom: WeComClient, sim: SimulatorClient
) -> None:
    sim.settings(mass_quota="day")                                        # the admin allows 1 a day
    customer = sim.add_customer("小美", userid="guide_li")["external_userid"]
    elsewhere = sim.add_customer("小王", userid="guide_wang")["external_userid"]
    template = {"chat_type": "single", "sender": "guide_li", "external_userid": [customer, elsewhere],
                "text": {"content": "618 会员日，全场 8 折"}}

    first = wecom.external_contact.add_msg_template(template)
    second = wecom.external_contact.add_msg_template(template)           # created: no quota check yet
    assert first["fail_list"] == second["fail_list"] == [elsewhere]      # not guide_li's contact
    assert sim.delivered(api="mass_message") == []
    sim.confirm_mass(first["msgid"])
    sim.confirm_mass(second["msgid"])

    def results(msgid: str) -> dict[str, int]:
        answer = wecom.post("externalcontact/get_groupmsg_send_result", data={"msgid": msgid, "userid": "guide_li"})
        return {item["external_userid"]: item["status"] for item in answer["send_list"]}

    assert sim.delivered(api="mass_message", to=customer) == ["618 会员日，全场 8 折"]
    assert results(first["msgid"]) == {customer: 1}
    assert results(second["msgid"]) == {customer: 3}                      # over quota, at send time
    task = wecom.post("externalcontact/get_groupmsg_task", data={"msgid": first["msgid"]})["task_list"]
    assert [(t["userid"], t["status"]) for t in task] == [("guide_li", 2)]


def test_mass_quota_counts_the_members_own_mass_messages_and_one_unknown_id_fails_the_call(
    wecom: WeComClient, sim: SimulatorClient
) -> None:
    sim.settings(mass_quota="day")
    customer = sim.add_customer("小美", userid="guide_li")["external_userid"]
    sim.member_mass_send("guide_li", [customer], "导购自己发的群发")
    with pytest.raises(WeChatClientException) as unknown:
        wecom.external_contact.add_msg_template({"chat_type": "single", "sender": "guide_li",
                                                 "external_userid": [customer, "wmNOBODY"], "text": {"content": "x"}})
    task = wecom.external_contact.add_msg_template({"chat_type": "single", "sender": "guide_li",
                                                     "external_userid": [customer], "text": {"content": "企业群发"}})
    sim.confirm_mass(task["msgid"])
    sim.advance_clock(24 * 3600)                                          # a new day: quota again
    later = wecom.external_contact.add_msg_template({"chat_type": "single", "sender": "guide_li",
                                                      "external_userid": [customer], "text": {"content": "第二天"}})
    sim.confirm_mass(later["msgid"])

    assert unknown.value.errcode == 40096
    assert sim.delivered(api="mass_message", to=customer) == ["导购自己发的群发", "第二天"]


def test_faults_make_the_next_calls_fail(wecom: WeComClient, sim: SimulatorClient) -> None:
    sim.fault("message/send", errcode=45009, times=2)
    sim.fault("message/send", http_status=503)

    with pytest.raises(APILimitedException):
        wecom.message.send_text(AGENT_ID, "guide_li", "一")
    with pytest.raises(APILimitedException):
        wecom.message.send_text(AGENT_ID, "guide_li", "二")
    with pytest.raises(WeChatClientException) as unavailable:
        wecom.message.send_text(AGENT_ID, "guide_li", "三")
    wecom.message.send_text(AGENT_ID, "guide_li", "四")

    assert unavailable.value.response.status_code == 503
    records = sim.sent(api="message/send")
    assert [(r["text"], r["errcode"], r["delivered"]) for r in records] == [
        ("一", 45009, False), ("二", 45009, False), ("三", None, False), ("四", 0, True)]


def test_a_slow_fault_answers_late_and_a_fault_needs_a_kind(sim_server: RunningServer, sim: SimulatorClient,
                                                            wecom: WeComClient) -> None:
    slow = WeComClient(wecom.corp_id, wecom.secret, f"{sim_server.url}/cgi-bin/")
    slow.fetch_access_token()                                         # on time: only message/send is slow
    slow.timeout = 0.2
    sim.fault("message/send", delay_seconds=1)
    with pytest.raises(requests.Timeout):
        slow.message.send_text(AGENT_ID, "guide_li", "慢")
    wecom.message.send_text(AGENT_ID, "guide_li", "快")                 # the next call is on time
    assert sim.delivered(api="message/send", to="guide_li") == ["快"]

    deadline = time.monotonic() + 5
    while len(sim.delivered(api="message/send", to="guide_li")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.delivered(api="message/send", to="guide_li") == ["快", "慢"]  # the slow one arrived after all
    for body in ({"api": "message/send"}, {"api": "message/send", "delay_seconds": 120},
                 {"api": "message/send", "delay_seconds": "soon"}):
        answer = requests.post(f"{sim_server.url}/sim/faults", json=body)
        assert answer.status_code == 400 and "delay_seconds" in answer.json()["error"]
