"""Channels in priority order, with fallback when one cannot reach the customer."""

from __future__ import annotations

import time

import pytest

from bot.playbooks.channels import reachable_channels
from tests.playbooks.support import GUIDE, simple_playbook
from tests.support.guide_tasks import stored_tasks

HOURS_49 = 49 * 3600


def playbook(channels: str, extra_step: str = "") -> str:
    return simple_playbook(steps=f"""
[[steps]]
id = "hello"
after = "1h"
channels = {channels}
text = "{{{{ customer.name }}}}您好，这是关怀消息"
{extra_step}
""")


# WeChat documents only the late msg_send_fail for a closed kf window; whether kf/send_msg also
# refuses at once (45015) is not documented. The simulator takes it and fails it later by default
# ("async", the worse case); "sync" is the other plausible answer. The bot must fall back under both.
KF_WINDOW_MODES = pytest.mark.parametrize("kf_window_errors", ["async", "sync"])


@KF_WINDOW_MODES
def test_kf_outside_its_window_falls_back_to_mp_custom(journey, kf_window_errors: str) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom", "guide_task"]')})
    h.sim.settings(kf_window_errors=kf_window_errors)
    customer = h.kf_customer("王女士")
    h.update_customer(customer, openid="o_wang")                       # the same person follows the account
    h.sim.advance_clock(HOURS_49)                                      # the kf window has closed
    h.sim.mp_subscribe("o_wang")                                       # the OA window: 3 messages in 1 minute
    h.settle()
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    tried_kf = [{"kf": 1}] if kf_window_errors == "async" else []      # taken, failed a moment later
    assert h.dispatch_until_settled() == [*tried_kf, {"mp_custom": 1}]
    [kf] = h.sim.sent(api="kf/send_msg", to=h.external_userid(customer))
    assert not kf["delivered"] and (kf["errcode"], kf.get("fail_type")) == (
        (0, 4) if kf_window_errors == "async" else (45015, None))
    assert h.sim.delivered(api="mp/message/custom/send", to="o_wang") == ["王女士您好，这是关怀消息"]
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.channel) == ("sent", "mp_custom")
    assert ("fail_type 4" if kf_window_errors == "async" else "45015") in delivery.last_error  # explained


def test_kf_held_by_a_human_servicer_95018_falls_back_to_a_guide_task(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "guide_task"]')})
    customer = h.kf_customer("王女士")
    h.sim.kf_servicer_takes(h.external_userid(customer), "guide_wang")  # a human answers in WeCom now
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"guide_task": 1}
    [refused] = h.sim.sent(api="kf/send_msg", to=h.external_userid(customer))
    assert refused["errcode"] == 95018 and not refused["delivered"]
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.channel) == ("sent", "guide_task")
    assert "95018" in delivery.last_error


def test_a_step_1h_after_a_subscribe_falls_back_from_mp_custom(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["mp_custom", "guide_task"]')})
    customer = h.kf_customer("王女士")
    h.update_customer(customer, openid="o_wang")
    h.sim.mp_subscribe("o_wang")                                       # 3 messages within 1 minute, no more
    h.settle()
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.advance_clock(3600)
    assert h.dispatch().by_channel == {"guide_task": 1}
    [refused] = h.sim.sent(api="mp/message/custom/send", to="o_wang")
    assert refused["errcode"] == 45015 and not refused["delivered"]
    assert "mp_custom: errcode 45015" in h.delivery(customer, "hello").last_error


def test_a_kf_message_reported_failed_after_sent_falls_back(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "guide_task"]')})
    customer = h.kf_customer("王女士")
    h.sim.kf_refuse(h.external_userid(customer))                       # WeChat takes the send, then fails it
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"kf": 1}
    assert h.delivery(customer, "hello").status == "sent"
    deadline = time.monotonic() + 30
    while h.delivery(customer, "hello").status == "sent":             # msg_send_fail, pulled via kf/sync_msg
        assert time.monotonic() < deadline, "the msg_send_fail event was not handled"
        h.settle()
        time.sleep(0.05)
    assert h.dispatch().by_channel == {"guide_task": 1}
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.channel) == ("sent", "guide_task")
    assert "fail_type 10" in delivery.last_error
    assert h.sim.delivered(api="kf/send_msg", to=h.external_userid(customer)) == []
    [task] = h.guide_tasks()
    assert "王女士您好，这是关怀消息" in task


def test_kf_over_its_window_falls_back_when_wechat_says_so_only_later(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "guide_task"]')})
    assert h.sim.settings()["kf_window_errors"] == "async"             # the simulator's default: the worse case
    customer = h.kf_customer("王女士")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"kf": 1}                         # taken with errcode 0 ...
    deadline = time.monotonic() + 30
    while h.delivery(customer, "hello").status == "sent":              # ... then msg_send_fail, fail_type 4
        assert time.monotonic() < deadline, "the msg_send_fail event was not handled"
        h.settle()
        time.sleep(0.05)
    assert h.dispatch().by_channel == {"guide_task": 1}
    assert "fail_type 4" in h.delivery(customer, "hello").last_error
    assert h.sim.delivered(api="kf/send_msg", to=h.external_userid(customer)) == []


@KF_WINDOW_MODES
def test_kf_outside_its_window_falls_back_to_a_guide_task(journey, kf_window_errors: str) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom", "guide_task"]')})
    h.sim.settings(kf_window_errors=kf_window_errors)
    customer = h.kf_customer("王女士")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch_until_settled()[-1] == {"guide_task": 1}
    assert h.sim.delivered(api="kf/send_msg", to=h.external_userid(customer)) == []
    [task] = h.guide_tasks()
    assert "请发给客户「王女士」" in task and "王女士您好，这是关怀消息" in task
    assert h.delivery(customer, "hello").channel == "guide_task"


def test_a_guide_task_is_recorded_once_even_when_its_delivery_is_sent_again(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["guide_task"]')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.send_then_crash("guide_task")
    h.advance(minutes=6)
    assert h.dispatch().by_channel == {"guide_task": 1}                # the lease expired: sent again
    [task] = stored_tasks(h)
    assert (task.status, task.customer_id, task.delivery_id, task.source, task.text) == (
        "open", customer, h.delivery(customer, "hello").id, "测试剧本 care", "王女士您好，这是关怀消息")
    first, again = h.guide_tasks()
    assert first == again                                              # the same task, the same number
    assert "请发给客户「王女士」" in first and "王女士您好，这是关怀消息" in first
    assert f"回复「完成 {task.id}」" in first


def test_a_guide_task_exists_only_once_its_message_went_out(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["guide_task"]')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("message/send", errcode=45009)                         # a passing refusal: tried again later
    assert h.dispatch().retried == 1
    assert stored_tasks(h) == [] and h.guide_tasks() == []
    h.advance(minutes=1)
    assert h.dispatch().sent == 1
    [task] = stored_tasks(h)
    [message] = h.guide_tasks()
    assert f"「完成 {task.id}」" in message


def test_a_refused_guide_task_leaves_no_task_and_the_next_channel_is_tried(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["guide_task", "kf"]')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("message/send", errcode=60011)                         # no privilege to message this guide
    assert h.dispatch().by_channel == {"kf": 1}
    assert stored_tasks(h) == []
    assert "guide_task: errcode 60011" in h.delivery(customer, "hello").last_error


def test_followers_without_wecom_are_reached_on_the_official_account(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom"]')})
    customer = h.mp_follower("o_li", write="你好")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"mp_custom": 1}
    assert h.sim.sent(api="kf/send_msg") == []                         # no external_userid: kf not even tried


def test_template_message_works_outside_the_window(journey) -> None:  # type: ignore[no-untyped-def]
    # No first/remark lines and 20 characters a field (WeChat since 2023-05-04): the link goes in `url`.
    step = 'template_id = "TPL1"\ntemplate_data = { keyword1 = "{{ customer.name }}您好" }\n' \
           'link = "https://example.com/x"'
    h = journey({"care.toml": playbook('["mp_custom", "mp_template"]', step)})
    customer = h.mp_follower("o_li")
    h.update_customer(customer, name="李女士")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"mp_template": 1}
    [sent] = h.sim.sent(api="mp/message/template/send")
    assert sent["payload"]["template_id"] == "TPL1"
    assert sent["payload"]["data"]["keyword1"]["value"] == "李女士您好"
    assert sent["payload"]["url"].startswith("http://links.test/r/")


def test_a_mass_message_over_quota_is_reported_failed_after_confirmation_and_falls_back(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"a.toml": playbook('["kf", "wecom_mass", "guide_task"]'),
                 "b.toml": playbook('["kf", "wecom_mass", "guide_task"]').replace('id = "care"', 'id = "care-b"')})
    h.sim.settings(mass_quota="day")                                    # the corp allows 1 a day
    customer = h.kf_customer("王女士")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch_until_settled() == [{"kf": 2}, {"wecom_mass": 2}]  # kf taken, then failed (window)
    assert {d.status for d in h.deliveries(customer)} == {"awaiting"}
    tasks = [t for t in h.sim.mass_tasks() if t["external_userid"]]
    assert [t["sender"] for t in tasks] == [GUIDE, GUIDE]
    assert h.sim.delivered(api="mass_message", to=h.external_userid(customer)) == []
    for task in tasks:
        h.sim.confirm_mass(task["msgid"])                               # the guide taps send, twice
    assert h.runtime.features["mass_results"].poll() == 2
    over, sent = sorted(h.deliveries(customer), key=lambda d: d.status)
    assert (sent.status, over.status) == ("sent", "scheduled")
    assert "status 3" in over.last_error
    assert h.dispatch().by_channel == {"guide_task": 1}                 # the fallback after wecom_mass
    assert h.sim.delivered(api="mass_message", to=h.external_userid(customer)) == ["王女士您好，这是关怀消息"]
    assert len(h.guide_tasks()) == 1


def test_a_mass_message_never_confirmed_is_cancelled_and_falls_back(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["wecom_mass", "guide_task"]')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().awaiting == 1
    h.advance(hours=2)
    assert h.runtime.features["mass_results"].poll() == 0               # still waiting for the guide
    h.advance(hours=23)
    assert h.runtime.features["mass_results"].poll() == 1
    [task] = h.sim.mass_tasks()
    assert task["cancelled"]                                             # a late confirmation sends nothing
    assert "未确认" in h.delivery(customer, "hello").last_error
    assert h.dispatch().by_channel == {"guide_task": 1}


def test_no_channel_can_reach_the_customer(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom"]')})
    customer = h.kf_customer("王女士", write=None)                     # never wrote: no kf window
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().failed == 1
    delivery = h.delivery(customer, "hello")
    assert delivery.status == "failed"
    assert "kf: errcode 45015" in delivery.last_error and "mp_custom: no openid" in delivery.last_error


def test_reachable_channels() -> None:
    assert reachable_channels(["kf", "mp_template", "wecom_mass", "guide_task"], external_userid="wm1", openid=None,
                              guide_userid="g", template_id="T") == ["kf", "wecom_mass", "guide_task"]


def test_kf_msgid_is_stable_per_delivery_and_unique_across_databases(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.clock import Clock
    from bot.db import Database
    from bot.schema import upgrade
    from bot.wechat.outbound import Outbound

    def outbound(name: str) -> Outbound:
        db = Database(f"sqlite:///{tmp_path / name}", Clock())
        upgrade(db)
        return Outbound(db, None, None)

    first, reset = outbound("a.db"), outbound("b.db")
    again = Outbound(first.db, None, None)                            # another process, same database
    msgid = first.kf_msgid("12:day1-care:0")
    assert len(msgid) <= 32 and msgid.isalnum()
    assert again.kf_msgid("12:day1-care:0") == msgid                   # a retry carries the same msgid
    assert first.kf_msgid("13:day1-care:0") != msgid
    assert reset.kf_msgid("12:day1-care:0") != msgid                   # the same local id after a reset


def test_a_journey_that_reaches_its_goal_dismisses_its_open_guide_tasks(journey) -> None:  # type: ignore[no-untyped-def]
    step = '[[steps]]\nid = "hello"\nafter = "1h"\nchannels = ["guide_task"]\ntext = "复诊提醒"\n'
    goal = '[exit]\ngoal = { event = "revisit_booked", within = "30d" }\n'
    h = journey({"care.toml": simple_playbook(steps=step, extra=goal)})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"guide_task": 1}
    assert [t.status for t in stored_tasks(h)] == ["open"]
    h.event(customer, "revisit_booked")                                 # she booked: no need to follow up
    [task] = stored_tasks(h)
    assert (task.status, task.done_at) == ("dismissed", h.clock.now())
    assert h.enrolments(customer)[0].status == "converted"


def test_a_customer_who_opts_out_leaves_no_open_guide_task(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["guide_task"]')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"guide_task": 1}
    h.sim.kf_message(h.external_userid(customer), "TD")               # 退订
    h.settle()
    assert [t.status for t in stored_tasks(h)] == ["dismissed"]
