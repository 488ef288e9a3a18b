"""Every app command, as a guide types it: answers, denials, unknown commands, and the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.guides.commands import COMMANDS
from bot.models import CustomerTag, Delivery, Enrolment, Event, Tag
from tests.support.guide_tasks import open_task, stored_tasks
from tests.support.guides import SETTLE_SECONDS, actions, app_messages, kf_customer, last_app_message, say, writes
from tests.support.harness import Harness


def test_lookup_shows_tags_with_reasons_stage_messages_and_tasks(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "想预约下周六做水光针")
    task = open_task(h, customer_id, text="问问术后恢复")

    profile = say(h, "guide_li", "查 小美")

    assert profile.startswith(f"小美 #A{customer_id} · ")
    assert "导购 李导购" in profile.splitlines()[0]
    assert "意向:预约（想预约）" in profile and "项目:水光针（水光针）" in profile
    assert "客户：想预约下周六做水光针" in profile
    assert f"· {task}. 问问术后恢复" in profile
    assert say(h, "guide_li", f"查#A{customer_id}") == profile


def test_a_guide_acts_on_their_own_customers_only(frozen_harness: Harness) -> None:
    h = frozen_harness
    _, customer_id = kf_customer(h, "王先生", guide="guide_wang")

    assert say(h, "guide_li", "查 王先生") == "「王先生」不是您的客户，您只能查看和操作自己的客户。"
    assert say(h, "guide_li", f"#A{customer_id} 你好").startswith(f"客户 #A{customer_id} 不是您的客户")
    assert say(h, "guide_li", "备注 王先生 想要优惠").startswith("「王先生」不是您的客户")
    assert say(h, "guide_li", "查 没这人") == \
        "在您的客户里没有找到「没这人」。可以用客户昵称、备注名或编号（如 #A12）查找。"
    assert [a.outcome for a in actions(h)] == ["denied", "denied", "denied", "invalid"]


def test_two_matches_get_a_numbered_choice_answered_by_its_number(frozen_harness: Harness) -> None:
    h = frozen_harness
    _, first = kf_customer(h, "小美")
    _, second = kf_customer(h, "小美")

    choice = say(h, "guide_li", "备注 小美 对酒精过敏")
    assert choice.splitlines() == ["有 2 位客户叫「小美」，请回复序号选择：",
                                   f"1. 小美 #A{first}（新客）", f"2. 小美 #A{second}（新客）"]
    assert say(h, "guide_li", "2") == "已为小美添加备注。"
    assert "备注：对酒精过敏（李导购）" in say(h, "guide_li", f"查 #A{second}")
    assert "备注" not in say(h, "guide_li", f"查 #A{first}")
    assert say(h, "guide_li", "2") == "没有待选择的客户。发送「帮助」查看指令。"


def test_tags_are_added_and_removed_and_reach_wecom_corp_tags(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "想预约")

    assert say(h, "guide_li", "标签 小美 +VIP客户 -意向:预约") == "小美：已添加 VIP客户；已去掉 意向:预约。"
    clock.advance(timedelta(seconds=10))
    h.settle(timeout=SETTLE_SECONDS)

    with h.db.session() as session:
        names = set(session.scalars(select(Tag.name).join(CustomerTag, CustomerTag.tag_id == Tag.id)
                                    .where(CustomerTag.customer_id == customer_id)))
    assert "VIP客户" in names and "意向:预约" not in names
    assert "VIP客户" in h.sim.contact_tags(external_userid, "guide_li")
    assert say(h, "guide_li", "标签 小美").startswith("请写上客户和要加减的标签")


def test_record_starts_the_post_treatment_playbook(frozen_harness: Harness) -> None:
    h = frozen_harness
    _, customer_id = kf_customer(h, "小美")

    assert say(h, "guide_li", "记录 小美 治疗完成 项目=水光针 医生=张医生") == \
        "已记录小美「治疗完成」（item=水光针，doctor=张医生）。"

    with h.db.session() as session:
        event = session.scalars(select(Event).where(Event.type == "treatment_completed")).one()
        enrolment = session.scalars(select(Enrolment).where(Enrolment.customer_id == customer_id)
                                    .where(Enrolment.playbook_id == "post-treatment-followup")).one()
    assert event.data == {"item": "水光针", "doctor": "张医生", "by": "guide_li"} and event.source == "guide"
    assert enrolment.status == "active"
    assert "没有这个事件" in say(h, "guide_li", "记录 小美 跳舞")
    assert "「颜色=红」看不懂" in say(h, "guide_li", "记录 小美 治疗完成 颜色=红")


def test_pause_resume_and_leave_a_playbook(frozen_harness: Harness) -> None:
    h = frozen_harness
    _, customer_id = kf_customer(h, "小美")
    say(h, "guide_li", "记录 小美 治疗完成 项目=水光针")

    assert say(h, "guide_li", "暂停 小美 术后回访") == "已暂停小美的「术后回访」，发送「继续 小美 术后回访」恢复。"
    assert "术后回访（已暂停）" in say(h, "guide_li", "查 小美")
    with h.db.session() as session:
        statuses = set(session.scalars(select(Delivery.status).where(
            Delivery.customer_id == customer_id, Delivery.playbook_id == "post-treatment-followup")))
    assert statuses == {"paused"}
    assert say(h, "guide_li", "继续 小美 术后回访") == "已恢复小美的「术后回访」。"
    assert say(h, "guide_li", "退出 小美 术后回访") == "小美已退出「术后回访」，之后的步骤不再发送。"
    assert say(h, "guide_li", "退出 小美 术后回访").startswith("小美没有进行中的剧本「术后回访」")


def test_snooze_and_the_overdue_reminder_sent_once(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    _, customer_id = kf_customer(h, "小美")
    late, snoozed = open_task(h, customer_id, text="回访术后情况"), open_task(h, customer_id, text="约复诊")

    assert say(h, "guide_li", f"稍后 {snoozed} 2天").startswith(f"好的，任务 {snoozed} 将在 ")
    assert "请写上任务编号和时间" in say(h, "guide_li", f"稍后 {snoozed} 某天")
    clock.advance(timedelta(hours=25))
    guides = h.runtime.features["guides"]
    assert guides.remind_overdue() == 1
    h.settle(timeout=SETTLE_SECONDS)
    reminder = last_app_message(h, "guide_li")
    assert reminder.startswith("以下跟进任务已超时") and f"{late}. 小美：回访术后情况" in reminder
    assert "约复诊" not in reminder
    clock.advance(timedelta(days=1))
    assert guides.remind_overdue() == 0  # reminded once, not every day
    clock.advance(timedelta(days=1))
    assert guides.remind_overdue() == 1  # the snoozed one, once its new time has passed by a day
    assert [t.status for t in stored_tasks(h)] == ["open", "open"]


def test_scripts_search(frozen_harness: Harness) -> None:
    h = frozen_harness
    found = say(h, "guide_li", "话术 水光针")
    assert found.splitlines()[0] == "和「水光针」有关的话术："
    assert "【报价】水光针价格" in found
    assert say(h, "guide_li", "话术 火箭").startswith("没有找到和「火箭」有关的话术")
    assert "话术分类：" in say(h, "guide_li", "话术")


def test_transfer_is_for_admins_only(frozen_harness: Harness) -> None:
    assert say(frozen_harness, "guide_li", "转交 guide_li guide_wang") == "「转交」只有管理员可以使用。"


@pytest.mark.parametrize(("text", "answer"), [
    ("你好呀", "没有「你好呀」这个指令。发送「帮助」查看全部指令，例如「查 小美」查看客户画像。"),
    ("查", "请写上客户，例如「查 小美」或「查 #A12」。"),
    ("备注 小美", "请写上客户和备注内容，例如「备注 小美 对酒精过敏」。"),
    ("#A999999 你好", "在您的客户里没有找到「#A999999」。可以用客户昵称、备注名或编号（如 #A12）查找。"),
    ("推荐码", "请写上客户，例如「推荐码 小美」。"),
    ("完成", "请带上任务编号，例如「完成 12」。发送「任务」查看编号。"),
])
def test_unknown_commands_and_bad_arguments_get_one_line_with_an_example(frozen_harness: Harness, text: str,
                                                                        answer: str) -> None:
    assert say(frozen_harness, "guide_li", text) == answer


def test_help_lists_exactly_the_commands_that_exist(frozen_harness: Harness) -> None:
    help_lines = say(frozen_harness, "guide_li", "帮助").splitlines()

    listed = [line for line in help_lines if line.startswith("· 「") and not line.startswith("· 「#A12")]
    expected = [c for c in COMMANDS if not c.admin]
    assert [line.split("」")[0].removeprefix("· 「") for line in listed] == [c.usage for c in expected]


def test_every_command_is_recorded_with_who_what_and_when(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    _, customer_id = kf_customer(h, "小美")
    say(h, "guide_li", "查 小美")
    say(h, "guide_li", "胡乱输入")

    recorded = [(a.command, a.text, a.customer_id, a.outcome, a.created_at) for a in actions(h)]
    assert recorded == [("查", "查 小美", customer_id, "ok", clock.now()),
                        ("未知", "胡乱输入", None, "invalid", clock.now())]
    assert app_messages(h, "guide_wang") == []
