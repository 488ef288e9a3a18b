"""Transfers while employed and after leaving, with WeCom's result statuses and callbacks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.guides.cli import transfer_customers
from bot.models import Customer, CustomerTransfer, Enrolment, GuideTask
from tests.support.guide_tasks import open_task
from tests.support.guides import SETTLE_SECONDS, actions, kf_customer, last_app_message, say
from tests.support.harness import Harness

DAY = 24 * 3600


def _transfers(h: Harness) -> list[CustomerTransfer]:
    with h.db.session() as session:
        return list(session.scalars(select(CustomerTransfer).order_by(CustomerTransfer.id)))


def test_an_admin_transfers_a_customer_with_their_tasks_and_playbooks(shop: Harness, clock: FrozenClock) -> None:
    h = shop
    external_userid, customer_id = kf_customer(h, "小美")
    task = open_task(h, customer_id, text="回访")
    say(h, "guide_li", "记录 小美 治疗完成 项目=水光针")

    answer = say(h, "guide_boss", "转交 小美 guide_wang")

    assert answer == "已提交小美从 李导购 转给 王导购，结果会通知您。"
    assert [t["status"] for t in h.sim.transfers()] == [2]  # waiting: the customer may refuse for 24 h
    guides = h.runtime.features["guides"]
    assert guides.poll_transfers() == 0
    h.sim.advance_clock(DAY + 60)
    assert guides.poll_transfers() == 1

    with h.db.session() as session:
        customer = session.get_one(Customer, customer_id)
        assert customer.guide is not None and customer.guide.userid == "guide_wang"
        assert session.get_one(GuideTask, task).staff_id == customer.guide_id
        enrolment = session.scalars(select(Enrolment).where(Enrolment.playbook_id == "post-treatment-followup")).one()
        assert enrolment.status == "active"  # its next steps go out in guide_wang's name
    assert [t.status for t in _transfers(h)] == ["done"]
    assert last_app_message(h, "guide_wang").startswith("小美已从 李导购 转给您，相关任务和剧本已一并转入。")
    assert last_app_message(h, "guide_boss") == "转交结果：小美 李导购 → 王导购：已完成。"
    assert say(h, "guide_li", "备注 小美 还想做热玛吉").startswith("「小美」不是您的客户")
    assert "导购 王导购" in say(h, "guide_wang", "查 小美")
    assert "guide_wang" in h.sim.overview()["customers"][0]["guides"]
    assert external_userid


def test_a_refused_transfer_is_reported_through_the_callback(shop: Harness) -> None:
    h = shop
    external_userid, customer_id = kf_customer(h, "王女士")
    say(h, "guide_boss", "转交 王女士 guide_wang")

    h.sim.refuse_transfer(external_userid)
    h.settle(timeout=SETTLE_SECONDS)

    assert [t.status for t in _transfers(h)] == ["refused"]
    assert last_app_message(h, "guide_li") == "王女士转给 王导购 未成功：客户拒绝了转接。客户仍由您跟进。"
    with h.db.session() as session:
        assert session.get_one(Customer, customer_id).guide.userid == "guide_li"  # type: ignore[union-attr]


def test_a_customer_transferred_twice_in_90_days_hits_the_limit(shop: Harness) -> None:
    h = shop
    _, customer_id = kf_customer(h, "赵先生")
    guides = h.runtime.features["guides"]
    for to in ("guide_wang", "guide_li"):
        say(h, "guide_boss", f"转交 #A{customer_id} {to}")
        h.sim.advance_clock(DAY + 60)
        guides.poll_transfers()

    say(h, "guide_boss", f"转交 #A{customer_id} guide_wang")
    h.settle(timeout=SETTLE_SECONDS)

    assert [t.status for t in _transfers(h)] == ["done", "done", "limit"]
    assert "90 天内已被转接两次" in last_app_message(h, "guide_li")


def test_the_cli_hands_a_resigned_guides_customers_over(shop: Harness) -> None:
    h = shop
    kf_customer(h, "甲")
    kf_customer(h, "乙")
    h.sim.resign("guide_li")

    code, message = transfer_customers(h.runtime, "guide_li", "guide_wang", [], resigned=True)

    assert code == 0 and message.startswith("2 of 2 customers requested from guide_li to guide_wang")
    assert [(t.kind, t.status) for t in _transfers(h)] == [("resigned", "waiting")] * 2
    h.sim.advance_clock(DAY + 60)
    h.runtime.features["guides"].poll_transfers()
    assert [t.status for t in _transfers(h)] == ["done", "done"]
    assert transfer_customers(h.runtime, "nobody", "guide_wang", [], resigned=False)[0] == 1


def test_only_admins_transfer_and_it_is_recorded(shop: Harness, clock: FrozenClock) -> None:
    h = shop
    kf_customer(h, "小美")
    assert say(h, "guide_li", "转交 小美 guide_wang") == "「转交」只有管理员可以使用。"
    assert "没有找到导购「nobody」" in say(h, "guide_boss", "转交 小美 nobody")
    clock.advance(timedelta(minutes=1))
    assert [(a.command, a.outcome) for a in actions(h)] == [("转交", "denied"), ("转交", "invalid")]
