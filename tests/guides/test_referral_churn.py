"""Referral codes link new customers to whoever referred them; churn ends journeys and wins back."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.models import Customer, Enrolment, Event
from tests.support.guides import SETTLE_SECONDS, app_messages, kf_customer, last_app_message, say
from tests.support.harness import Harness


def test_a_referral_code_links_the_friend_and_thanks_the_referrer(shop: Harness) -> None:
    h = shop
    _, referrer_id = kf_customer(h, "小美")

    assert say(h, "guide_li", "推荐码 小美") == "正在生成小美的专属推荐码，稍后发给您。"
    # The answer and the code are two app messages, sent by whichever task runner takes each first.
    code_message = next(m for m in reversed(app_messages(h, "guide_li")) if m.startswith("小美的专属推荐码："))
    config_id = re.search(r"/sim/contact_ways/(\w+)", code_message)[1]  # type: ignore[index]
    assert h.sim.contact_way(config_id)["state"] == f"ref_{referrer_id}"
    assert say(h, "guide_li", "推荐码 小美") == code_message  # the same code again, at once

    friend = h.sim.add_customer("小丽", config_id=config_id)["external_userid"]
    h.settle(timeout=SETTLE_SECONDS)

    with h.db.session() as session:
        new = session.scalars(select(Customer).where(Customer.external_userid == friend)).one()
        assert new.attributes["referred_by"] == referrer_id and new.guide.userid == "guide_li"  # type: ignore[union-attr]
        referral = session.scalars(select(Event).where(Event.type == "referral_added")).one()
        assert referral.customer_id == referrer_id and referral.data["referred_id"] == new.id
        thanks = session.scalars(select(Enrolment).where(Enrolment.playbook_id == "referral-thanks")).one()
        assert thanks.customer_id == referrer_id


def test_deleting_the_guide_ends_journeys_marks_lost_and_starts_the_win_back(shop: Harness) -> None:
    h = shop
    external_userid, customer_id = kf_customer(h, "小美")
    with h.db.session() as session:
        assert [e.playbook_id for e in session.scalars(select(Enrolment))] == ["welcome-series"]

    h.sim.delete_guide(external_userid)
    h.settle(timeout=SETTLE_SECONDS)

    with h.db.session() as session:
        customer = session.get_one(Customer, customer_id)
        enrolments = {e.playbook_id: e.status for e in session.scalars(select(Enrolment))}
        change = session.scalars(select(Event).where(Event.type == "stage_changed")).one()
    assert customer.stage == "lost" and change.data["to"] == "lost"
    assert enrolments == {"welcome-series": "exited", "win-back": "active"}
    notice = last_app_message(h, "guide_li")
    assert notice == (f"客户「小美」已将您从微信好友中删除，已标记为流失客户，进行中的 1 个剧本已结束。"
                      f"发送「查 #A{customer_id}」可查看其历史与标签。")
    looked = say(h, "guide_li", f"查 #A{customer_id}")  # what the notice points at exists
    assert looked.startswith(f"小美 #A{customer_id} · 已流失") and "· 流失挽回，下一步" in looked
    assert "欢迎添加" not in "".join(h.sim.delivered(to=external_userid))
