"""Channels in priority order, with fallback when one cannot reach the customer."""

from __future__ import annotations

from bot.playbooks.channels import Outgoing, reachable_channels
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


def test_kf_outside_its_window_falls_back_to_mp_custom(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom", "guide_task"]')})
    customer = h.kf_customer("王女士")
    h.update_customer(customer, openid="o_wang")                       # the same person follows the account
    h.sim.advance_clock(HOURS_49)                                      # the kf window has closed
    h.sim.mp_subscribe("o_wang")
    h.settle()
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"mp_custom": 1}
    [refused] = h.sim.sent(api="kf/send_msg", to=h.external_userid(customer))
    assert refused["errcode"] == 45015 and not refused["delivered"]
    assert h.sim.delivered(api="mp/message/custom/send", to="o_wang") == ["王女士您好，这是关怀消息"]
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.channel) == ("sent", "mp_custom")
    assert "45015" in delivery.last_error                               # the fallback is explained


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


def test_kf_outside_its_window_falls_back_to_a_guide_task(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom", "guide_task"]')})
    customer = h.kf_customer("王女士")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"guide_task": 1}
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
    step = 'template_id = "TPL1"\ntemplate_data = { first = "{{ customer.name }}您好", remark = "{{ link }}" }\n' \
           'link = "https://example.com/x"'
    h = journey({"care.toml": playbook('["mp_custom", "mp_template"]', step)})
    customer = h.mp_follower("o_li")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().by_channel == {"mp_template": 1}
    [sent] = h.sim.sent(api="mp/message/template/send")
    assert sent["payload"]["template_id"] == "TPL1"
    assert sent["payload"]["data"]["remark"]["value"].startswith("http://links.test/r/")
    assert sent["payload"]["url"] == sent["payload"]["data"]["remark"]["value"]


def test_mass_message_goes_to_the_guide_to_confirm_and_falls_back_when_refused(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"a.toml": playbook('["kf", "wecom_mass", "guide_task"]'),
                 "b.toml": playbook('["kf", "wecom_mass", "guide_task"]').replace('id = "care"', 'id = "care-b"')})
    customer = h.kf_customer("王女士")
    h.sim.advance_clock(HOURS_49)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    stats = h.dispatch()
    # One mass message a day per customer: the second playbook falls back to a guide task.
    assert stats.by_channel == {"wecom_mass": 1, "guide_task": 1}
    [task] = [t for t in h.sim.mass_tasks() if t["external_userid"]]
    assert task["sender"] == GUIDE and task["external_userid"] == [h.external_userid(customer)]
    assert h.sim.delivered(api="mass_message", to=h.external_userid(customer)) == []
    h.sim.confirm_mass(task["msgid"])                                  # the guide taps send
    assert h.sim.delivered(api="mass_message", to=h.external_userid(customer)) == ["王女士您好，这是关怀消息"]


def test_no_channel_can_reach_the_customer(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": playbook('["kf", "mp_custom"]')})
    customer = h.kf_customer("王女士", write=None)                     # never wrote: no kf window
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().failed == 1
    delivery = h.delivery(customer, "hello")
    assert delivery.status == "failed"
    assert "kf: errcode 45015" in delivery.last_error and "mp_custom: no openid" in delivery.last_error


def test_reachable_channels_and_msgid() -> None:
    assert reachable_channels(["kf", "mp_template", "wecom_mass", "guide_task"], external_userid="wm1", openid=None,
                              guide_userid="g", template_id="T") == ["kf", "wecom_mass", "guide_task"]
    outgoing = Outgoing(1, "12:day1-care:0", 1, "", "wm1", None, None, "p", "t")
    assert len(outgoing.kf_msgid) <= 32 and outgoing.kf_msgid == Outgoing(
        2, "12:day1-care:0", 9, "", None, None, None, "q", "u").kf_msgid


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
