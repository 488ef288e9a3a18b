"""Tagging through the public paths: a message arrives by webhook and the customer carries tags
with their reasons; events change stage, tier and behaviour tags; WeCom sees the tags."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import Customer, CustomerTag, Event, Tag
from tests.support.harness import TAG_RULES, Harness, shipped_tag_rules


@pytest.fixture
def h(frozen_harness: Harness) -> Harness:
    return frozen_harness


def tags_of(h: Harness, **identity: str) -> dict[str, CustomerTag]:
    with h.db.session() as session:
        customer = session.scalars(select(Customer).filter_by(**identity)).one()
        return {ct.tag.name: ct for ct in customer.tags}


def the_customer(h: Harness, **identity: str) -> Customer:
    with h.db.session() as session:
        return session.scalars(select(Customer).filter_by(**identity)).one()


def follower(h: Harness, openid: str) -> str:
    h.sim.mp_subscribe(openid)
    return openid


def events(h: Harness, type_: str) -> list[Event]:
    with h.db.session() as session:
        return list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))


def test_a_kf_message_tags_the_customer_with_reasons(h: Harness) -> None:
    eu = h.sim.add_customer("小美", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.kf_message(eu, "你好，我想预约下周六做水光针，大概多少钱？")
    h.settle()
    tags = tags_of(h, external_userid=eu)
    assert {"意向:预约", "项目:水光针", "关注:价格"} <= set(tags)
    booking = tags["意向:预约"]
    assert booking.source == "keyword" and booking.rule == "keyword:意向:预约"
    assert booking.matched and booking.message_id is not None and "预约" in booking.reason
    added = [e.data["tag"] for e in events(h, "tag_added")]
    assert added.count("意向:预约") == 1


def test_negated_intent_is_not_tagged_but_the_topic_is(h: Harness) -> None:
    h.sim.mp_text(follower(h, "oNEG01"), "暂时不需要预约，也不想做热玛吉了")
    h.settle()
    tags = tags_of(h, openid="oNEG01")
    assert "意向:预约" not in tags
    assert "项目:热玛吉" in tags


def test_word_boundaries_hold_in_real_messages(h: Harness) -> None:
    h.sim.mp_text(follower(h, "oWB01"), "请问您贵姓？我大约三点到，看着心疼")
    h.settle()
    assert not {"关注:价格", "意向:预约", "术后:不适"} & set(tags_of(h, openid="oWB01"))


def test_retagging_the_same_message_is_idempotent(h: Harness) -> None:
    xml = ("<xml><ToUserName>gh_x</ToUserName><FromUserName>oIDEM</FromUserName><CreateTime>1700000000</CreateTime>"
           "<MsgType>text</MsgType><Content>我要投诉，想退款</Content><MsgId>555001</MsgId></xml>")
    follower(h, "oIDEM")
    h.sim.push_mp_xml(xml, repeat=3)
    h.settle()
    assert {"诉求:投诉", "诉求:退款"} <= set(tags_of(h, openid="oIDEM"))
    assert len([e for e in events(h, "tag_added") if e.data["tag"] == "诉求:投诉"]) == 1


def test_opt_out_and_back_in_with_one_confirmation_each(h: Harness) -> None:
    first = h.sim.mp_text(follower(h, "oOPT01"), "以后别再给我发消息了")
    assert "已为您退订" in (first.get("reply") or "")  # in the ack, before the message is routed
    h.settle()
    assert the_customer(h, openid="oOPT01").opted_out is True
    again = h.sim.mp_text("oOPT01", "退订")
    assert "已为您退订" in (again.get("reply") or "")  # decided from the text: the same answer again
    assert not h.sim.mp_text("oOPT01", "好的，谢谢").get("reply")
    back = h.sim.mp_text("oOPT01", "我想重新订阅")
    assert "已为您恢复" in (back.get("reply") or "")
    h.settle()
    assert not h.sim.delivered(api="mp/message/custom/send", to="oOPT01")  # each answered once, passively
    customer = the_customer(h, openid="oOPT01")
    assert customer.opted_out is False
    assert "状态:退订" not in tags_of(h, openid="oOPT01")
    assert [e.type for e in events(h, "opted_out") + events(h, "opted_in")] == ["opted_out", "opted_in"]


def test_kf_opt_out_confirmation_goes_out_by_kf(h: Harness) -> None:
    eu = h.sim.add_customer("烦烦", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.kf_message(eu, "TD")
    h.settle()
    assert any("已为您退订" in text for text in h.sim.delivered(api="kf/send_msg", to=eu))


def test_purchases_make_a_high_value_customer(h: Harness, clock: FrozenClock) -> None:
    eu = h.sim.add_customer("大客户", userid="guide_li")["external_userid"]
    h.settle()
    for days_ago, amount in [(60, 3000), (20, 2800), (2, 1500), (1, 900)]:
        at = (clock.now() - timedelta(days=days_ago)).isoformat()
        response = h.api("POST", "/api/events", json={"customer": {"external_userid": eu}, "type": "purchase",
                                                      "at": at, "data": {"amount": amount}})
        assert response.status_code == 202
    customer = the_customer(h, external_userid=eu)
    assert customer.value_tier == "high"
    tags = tags_of(h, external_userid=eu)
    assert "高价值" in tags and tags["高价值"].source == "behaviour"


def test_quiet_customers_move_through_the_lifecycle(h: Harness, clock: FrozenClock) -> None:
    eu = h.sim.add_customer("安静", userid="guide_li")["external_userid"]
    h.settle()
    tagging = h.runtime.features["tagging"]
    assert the_customer(h, external_userid=eu).stage == "new"
    stages = []
    for days in (8, 7, 16, 30):  # day 8, 15, 31, 61
        clock.advance(days=days)
        tagging.recompute_all()
        stages.append(the_customer(h, external_userid=eu).stage)
    # Silent since the day they came: past the first week they are not active (issue 11).
    assert stages == ["dormant", "dormant", "churn_risk", "lost"]
    changes = [(e.data["from"], e.data["to"]) for e in events(h, "stage_changed")]
    assert changes == [("new", "dormant"), ("dormant", "churn_risk"), ("churn_risk", "lost")]
    # A message brings them back at once, without waiting for the hourly job.
    h.sim.kf_message(eu, "你好，还在吗")
    h.settle()
    assert the_customer(h, external_userid=eu).stage == "active"


def test_deleting_the_guide_makes_the_customer_lost(h: Harness) -> None:
    eu = h.sim.add_customer("走了", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.delete_guide(eu, userid="guide_li")
    h.settle()
    h.runtime.features["tagging"].recompute_all()
    assert the_customer(h, external_userid=eu).stage == "lost"
    # one stage_changed event for it, recorded where it happened (the callback), not a silent write
    assert [(e.data["from"], e.data["to"]) for e in events(h, "stage_changed")] == [("new", "lost")]


def test_tags_sync_to_wecom_corp_tags_and_back(h: Harness, clock: FrozenClock) -> None:
    eu = h.sim.add_customer("同步", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.kf_message(eu, "热玛吉多少钱")
    h.settle()
    clock.advance(seconds=10)  # past the batching delay
    h.settle()
    assert {"热玛吉", "价格"} <= set(h.sim.contact_tags(eu, "guide_li"))
    # The guide removes 价格 in the WeCom sidebar; the edit comes back.
    h.sim.edit_customer(eu, userid="guide_li", remove_tags=["价格"])
    h.settle()
    assert "关注:价格" not in tags_of(h, external_userid=eu)
    assert "项目:热玛吉" in tags_of(h, external_userid=eu)


def test_manual_tags_through_the_api(h: Harness) -> None:
    eu = h.sim.add_customer("手动", userid="guide_li")["external_userid"]
    h.settle()
    cid = the_customer(h, external_userid=eu).id
    created = h.api("POST", f"/api/customers/{cid}/tags", json={"name": "VIP", "reason": "年卡会员"})
    assert created.status_code == 201
    assert {"name": "VIP", "source": "manual", "reason": "年卡会员"}.items() <= next(
        t for t in created.json()["tags"] if t["name"] == "VIP").items()
    assert h.api("POST", f"/api/customers/{cid}/tags", json={"name": "VIP"}).status_code == 200
    assert h.api("POST", f"/api/customers/{cid}/tags", json={"nom": "x"}).status_code == 400
    listed = h.api("GET", "/api/customers?tag=VIP").json()["items"]
    assert [c["id"] for c in listed] == [cid]
    assert h.api("DELETE", f"/api/customers/{cid}/tags/VIP").status_code == 200
    assert h.api("DELETE", f"/api/customers/{cid}/tags/VIP").status_code == 404


def test_a_broken_rules_file_keeps_the_last_good_rules(sqlite_url: str, tmp_path: Path) -> None:
    rules = shipped_tag_rules(tmp_path)
    h = Harness(sqlite_url, bot={"playbooks_dir": str(tmp_path), "tag_rules": str(rules)})
    try:
        store = h.runtime.features["tagging"].store
        rules.write_text("[[keyword]]\ntag = \n", encoding="utf-8")
        store._checked = 0.0  # look at the file now rather than in two seconds
        current, _ = store.current()
        assert len(current.keyword_rules) > 10 and store.error and "tags.toml" in store.error
        h.sim.mp_text(follower(h, "oRULES"), "想预约一下")
        h.settle()
        assert "意向:预约" in tags_of(h, openid="oRULES")
        # Fixed while a message is being handled: the new rules apply, nothing deadlocks.
        rules.write_text(TAG_RULES.read_text(encoding="utf-8") + "\n# edited\n",
                         encoding="utf-8")
        store._checked = 0.0
        h.sim.mp_text("oRULES", "我要投诉")
        h.settle()
        assert store.error is None and "诉求:投诉" in tags_of(h, openid="oRULES")
    finally:
        h.close()
    # A restart with the broken file still tags, from the last good copy in the database.
    h2 = Harness(sqlite_url, bot={"playbooks_dir": str(tmp_path)})
    try:
        assert len(h2.runtime.features["tagging"].store.rules.keyword_rules) > 10
    finally:
        h2.close()


def test_a_corp_tag_deleted_in_wecom_is_recreated_on_the_next_sync(h: Harness, clock: FrozenClock) -> None:
    eu = h.sim.add_customer("重建", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.kf_message(eu, "热玛吉多少钱")
    clock.advance(seconds=10)
    h.settle()
    with h.db.session() as session:
        old_id = session.scalars(select(Tag.wecom_tag_id).where(Tag.name == "关注:价格")).one()
    xml = (f"<xml><ToUserName>{h.sim_config.corp_id}</ToUserName><FromUserName>sys</FromUserName>"
           f"<CreateTime>1700000100</CreateTime><MsgType>event</MsgType><Event>change_external_tag</Event>"
           f"<Id>{old_id}</Id><TagType>tag</TagType><ChangeType>delete</ChangeType></xml>")
    assert h.sim.push_work_xml(xml)["status"] == 200
    h.settle()  # the event is routed after the ack
    with h.db.session() as session:
        assert session.scalars(select(Tag.wecom_tag_id).where(Tag.name == "关注:价格")).one() is None
    h.api("POST", f"/api/customers/{the_customer(h, external_userid=eu).id}/tags", json={"name": "VIP"})
    clock.advance(seconds=10)
    h.settle()
    with h.db.session() as session:
        assert session.scalars(select(Tag.wecom_tag_id).where(Tag.name == "关注:价格")).one() is not None
    assert {"价格", "VIP"} <= set(h.sim.contact_tags(eu, "guide_li"))
