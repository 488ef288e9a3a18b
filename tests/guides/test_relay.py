"""Customers write, guides answer: forwards with suggestions, replies by #ref over the reachable channel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.guides.lookup import display_name
from bot.models import Customer, GuideForward, Message, Staff
from tests.inbound.race_worker import text_push
from tests.support.guides import SETTLE_SECONDS, app_messages, kf_customer, last_app_message, say, writes
from tests.support.harness import Harness


def test_a_customer_message_reaches_the_guide_with_profile_tags_and_suggestions(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")

    writes(h, external_userid, "想预约下周六做水光针，多少钱？")

    forward = last_app_message(h, "guide_li")
    lines = forward.splitlines()
    assert lines[0] == f"【客户消息】小美 #A{customer_id}（微信客服）"
    assert lines[1].startswith("阶段：")
    assert "意向:预约（想预约）" in lines[2] and "项目:水光针（水光针）" in lines[2]
    assert "「想预约下周六做水光针，多少钱？」" in forward
    assert "建议回复：" in forward and "1. 小美您好～水光针单次体验价" in forward and "3. " in forward
    assert f"「#A{customer_id} 1」发送建议 1" in forward
    assert app_messages(h, "guide_wang") == []


def test_the_guide_replies_by_ref_and_the_customer_gets_it_over_kf(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "想预约下周六做水光针，多少钱？")

    assert say(h, "guide_li", f"#A{customer_id} 好的，周六上午给您约上") == ""

    assert h.sim.delivered(api="kf/send_msg", to=external_userid)[-1] == "好的，周六上午给您约上"
    assert last_app_message(h, "guide_li") == "✓ 已通过微信客服发给小美。"
    with h.db.session() as session:
        sent = session.scalars(select(Message).where(Message.customer_id == customer_id, Message.direction == "out",
                                                     Message.channel == "kf")).one()
        guide_li = h.runtime.customers(session).staff("guide_li")
        assert sent.staff_id == guide_li.id and sent.content == "好的，周六上午给您约上"


def test_a_suggestion_is_sent_by_its_number_and_by_name(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "想预约下周六做水光针，多少钱？")
    with h.db.session() as session:
        suggestions = session.scalars(select(GuideForward.suggestions)).one()

    say(h, "guide_li", f"#A{customer_id} 2")
    say(h, "guide_li", "回复 小美 周六见～")

    assert h.sim.delivered(api="kf/send_msg", to=external_userid)[-2:] == [suggestions[1], "周六见～"]


def test_a_closed_window_is_told_in_one_line_with_the_sidebar_as_the_way(frozen_harness: Harness,
                                                                          clock: FrozenClock) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "在吗")
    clock.advance(timedelta(hours=49))

    say(h, "guide_li", f"#A{customer_id} 您好，还在考虑吗？")

    told = last_app_message(h, "guide_li")
    assert told == ("未能发给小美：微信客服和公众号的 48 小时回复窗口都已关闭。"
                    "请在企业微信里打开与小美的聊天，用聊天工具栏「思域助手」发送。")
    assert h.sim.delivered(api="kf/send_msg", to=external_userid) == []


def test_when_wechat_says_the_window_is_used_up_the_guide_is_told_too(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "在吗")
    h.sim.fault("kf/send_msg", errcode=45015)

    say(h, "guide_li", f"#A{customer_id} 在的")

    assert "回复窗口都已关闭" in last_app_message(h, "guide_li")


def test_a_customer_with_no_guide_goes_to_the_default_guides_in_turn(frozen_harness: Harness) -> None:
    h = frozen_harness

    for name in ("kf_a", "kf_b", "kf_c"):
        writes(h, name, "你好，想咨询一下")

    assert [m.splitlines()[0].split("（")[0] for m in app_messages(h, "guide_li")] == [
        f"【客户消息】kf_a #A{h.customer_id(external_userid='kf_a')}",
        f"【客户消息】kf_c #A{h.customer_id(external_userid='kf_c')}"]
    assert len(app_messages(h, "guide_wang")) == 1
    writes(h, "kf_b", "还在吗")
    assert len(app_messages(h, "guide_wang")) == 2  # the same guide keeps the customer


def test_new_followers_routed_in_one_batch_go_to_the_default_guides_in_turn(frozen_harness: Harness) -> None:
    h = frozen_harness
    h.runtime.processor.stop()  # the three first messages wait, then go in one batch
    for n, openid in enumerate(("oNewA", "oNewB", "oNewC")):
        h.runtime.inbox.accept("mp", text_push(openid, f"7{n:04d}", "你好，想咨询一下"))
    h.settle(timeout=SETTLE_SECONDS)

    assert guide_of(h, "oNewA") == guide_of(h, "oNewC") == "guide_li" and guide_of(h, "oNewB") == "guide_wang"
    assert [m.splitlines()[0] for m in app_messages(h, "guide_wang")] == [
        f"【客户消息】{display_name(customer(h, 'oNewB'))} #A{h.customer_id(openid='oNewB')}（公众号）"]
    assert len(app_messages(h, "guide_li")) == 2
    h.runtime.inbox.accept("mp", text_push("oNewB", "70009", "还在吗"))
    h.settle(timeout=SETTLE_SECONDS)
    assert len(app_messages(h, "guide_wang")) == 2  # the same guide keeps the follower


def customer(h: Harness, openid: str) -> Customer:
    with h.db.session() as session:
        row = session.scalars(select(Customer).where(Customer.openid == openid)).one()
        session.expunge(row)
        return row


def guide_of(h: Harness, openid: str) -> str:
    with h.db.session() as session:
        return session.scalars(select(Staff.userid).join(Customer, Customer.guide_id == Staff.id)
                               .where(Customer.openid == openid)).one()


def test_response_times_count_working_hours_and_skip_exempt_messages(frozen_harness: Harness,
                                                                     clock: FrozenClock) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "水光针多少钱？")
    clock.advance(timedelta(minutes=2))
    say(h, "guide_li", f"#A{customer_id} 680 元")
    writes(h, external_userid, "谢谢")
    writes(h, external_userid, "那周六可以吗")
    clock.advance(timedelta(minutes=10))
    say(h, "guide_li", f"#A{customer_id} 可以")

    stats = h.api("GET", "/api/guides/response-times").json()["guides"]

    [li] = [row for row in stats if row["staff"] == "guide_li"]
    assert li["messages"] == 3 and li["exempt"] == 1 and li["answered"] == 2
    assert li["first_response_seconds_avg"] == (120 + 600) / 2
    assert li["answered_within_target_share"] == 0.5


def test_several_guides_one_owner_from_the_first_add_event(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美", guide="guide_li")
    h.sim.add_customer("小美", userid="guide_wang", external_userid=external_userid)
    h.settle(timeout=SETTLE_SECONDS)

    writes(h, external_userid, "在吗")

    assert last_app_message(h, "guide_li").startswith(f"【客户消息】小美 #A{customer_id}")
    assert not any(m.startswith("【客户消息】") for m in app_messages(h, "guide_wang"))
    assert "导购 李导购" in say(h, "guide_wang", "查 小美")  # a following guide may look and act too


def test_an_official_account_follower_is_answered_over_the_custom_message(frozen_harness: Harness) -> None:
    h = frozen_harness
    h.sim.mp_subscribe("o_fan", nickname="粉丝")
    h.sim.mp_text("o_fan", "课程怎么收费？")
    h.settle(timeout=SETTLE_SECONDS)
    customer_id = h.customer_id(openid="o_fan")

    forward = last_app_message(h, "guide_li")
    assert forward.startswith(f"【客户消息】o_fan #A{customer_id}（公众号）")
    say(h, "guide_li", f"#A{customer_id} 小班课每节 150 元")

    assert h.sim.delivered(api="mp/message/custom/send", to="o_fan")[-1] == "小班课每节 150 元"
    assert last_app_message(h, "guide_li") == "✓ 已通过公众号发给o_fan。"


def test_a_reply_wechat_takes_then_reports_failed_is_told_to_the_guide(frozen_harness: Harness) -> None:
    """WeChat may take a kf message and report it failed a moment later (msg_send_fail: the customer
    refused, the window was used up); the guide hears it as when WeChat refuses at once."""
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "在吗")
    h.sim.kf_refuse(external_userid)

    say(h, "guide_li", f"#A{customer_id} 在的")
    h.settle()                                                          # msg_send_fail, pulled via kf/sync_msg

    assert last_app_message(h, "guide_li") == ("未能发给小美：微信客服收下后报告发送失败（用户拒收）。"
                                               "请在企业微信里打开与小美的聊天，用聊天工具栏「思域助手」发送。")
    assert h.sim.delivered(api="kf/send_msg", to=external_userid) == []
