"""The webhooks end to end: the simulator pushes encrypted callbacks to the bot over HTTP."""

from __future__ import annotations

import time

import requests
from sqlalchemy import func, select

from bot.models import Callback, Customer, CustomerGuide, Event, KfCursor, Message
from tests.support.harness import Harness


def count(h: Harness, model, *where) -> int:  # type: ignore[no-untyped-def]
    with h.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def customer(h: Harness, **identity: str) -> Customer:
    with h.db.session() as session:
        return session.scalars(select(Customer).filter_by(**identity)).one()


def test_customer_adds_a_guide_and_gets_the_welcome_message_in_the_window(harness: Harness) -> None:
    h = harness
    added = h.sim.add_customer("小美", userid="guide_li", state="store_sh")
    assert added["status"] == 200
    h.settle()

    welcome = h.sim.sent(api="externalcontact/send_welcome_msg")
    assert len(welcome) == 1 and welcome[0]["errcode"] == 0, welcome
    assert "李导购" in welcome[0]["text"]
    c = customer(h, external_userid=added["external_userid"])
    assert c.name == "小美"  # filled from externalcontact/get
    with h.db.session() as session:
        relation = session.scalars(select(CustomerGuide)).one()
        assert relation.state == "store_sh" and relation.status == "active"
        added = session.scalars(select(Event).where(Event.type == "contact_added")).one()
        assert added.data == {"guide": "guide_li", "state": "store_sh"}
        sent = session.scalars(select(Message).where(Message.channel == "welcome")).one()
        assert sent.status == "sent" and sent.customer_id == c.id


def test_customer_deletes_the_guide_is_marked_lost_and_the_guide_is_told(harness: Harness) -> None:
    h = harness
    added = h.sim.add_customer("王先生", userid="guide_wang")
    h.settle()
    h.sim.delete_guide(added["external_userid"], userid="guide_wang")
    h.settle()

    c = customer(h, external_userid=added["external_userid"])
    assert c.stage == "lost" and c.guide_id is None
    notices = h.sim.sent(api="message/send", to="guide_wang")
    assert len(notices) == 1 and "王先生" in notices[0]["text"] and "删除" in notices[0]["text"]
    assert count(h, CustomerGuide, CustomerGuide.status == "lost") == 1


def test_guide_removes_the_customer_ends_the_relation_without_a_notice(harness: Harness) -> None:
    h = harness
    added = h.sim.add_customer("赵女士", userid="guide_li")
    h.settle()
    h.sim.removed_by_guide(added["external_userid"], userid="guide_li")
    h.settle()
    assert count(h, CustomerGuide, CustomerGuide.status == "removed") == 1
    assert h.sim.sent(api="message/send") == []


def test_edit_event_refreshes_the_contact(harness: Harness) -> None:
    h = harness
    added = h.sim.add_customer("旧名字", userid="guide_li")
    h.settle()
    h.sim.edit_customer(added["external_userid"], userid="guide_li", name="新名字")
    h.settle()
    assert customer(h, external_userid=added["external_userid"]).name == "新名字"


def test_kf_messages_are_pulled_once_with_a_durable_cursor(harness: Harness) -> None:
    h = harness
    added = h.sim.add_customer("小林", userid="guide_li")
    h.settle()
    eu = added["external_userid"]
    h.sim.kf_message(eu, "你好，在吗")
    h.sim.kf_message(eu, "想问下价格")
    h.settle()

    with h.db.session() as session:
        texts = session.scalars(select(Message.content).where(Message.channel == "kf", Message.direction == "in")
                                .order_by(Message.id)).all()
        cursor = session.get(KfCursor, h.sim_config.open_kfid)
    assert texts == ["你好，在吗", "想问下价格"]
    assert cursor is not None and cursor.cursor

    # A third message: only it is pulled, from the stored cursor.
    h.sim.kf_message(eu, "谢谢")
    h.settle()
    assert count(h, Message, Message.channel == "kf", Message.direction == "in") == 3
    assert count(h, Callback, Callback.channel == "kf") == 3


def test_a_push_retried_three_times_is_stored_and_processed_once(harness: Harness) -> None:
    h = harness
    xml = (
        f"<xml><ToUserName>{h.sim_config.corp_id}</ToUserName><FromUserName>sys</FromUserName><CreateTime>1700000000</CreateTime>"
        "<MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType>"
        "<UserID>guide_li</UserID><ExternalUserID>wmRETRY01</ExternalUserID><State>poster</State></xml>"
    )
    result = h.sim.push_work_xml(xml, repeat=3)
    h.settle()
    assert [a["status"] for a in result["push"]["attempts"]] == [200, 200, 200]
    assert count(h, Callback) == 1
    assert count(h, Event, Event.type == "contact_added") == 1
    assert count(h, Customer) == 1


def test_unknown_message_and_event_types_are_stored_and_acked(harness: Harness) -> None:
    h = harness
    xml = (
        f"<xml><ToUserName>{h.sim_config.corp_id}</ToUserName><FromUserName>guide_li</FromUserName><CreateTime>1700000001</CreateTime>"
        "<MsgType>event</MsgType><Event>some_future_event</Event><AgentID>1000002</AgentID></xml>"
    )
    assert h.sim.push_work_xml(xml)["status"] == 200
    xml2 = xml.replace("<MsgType>event</MsgType><Event>some_future_event</Event>",
                       "<MsgType>hologram</MsgType><MsgId>99887766</MsgId>")
    assert h.sim.push_work_xml(xml2)["status"] == 200
    h.settle()  # on SQLite the webhook's spool hands pushes to `callbacks` after the ack
    with h.db.session() as session:
        kinds = sorted(session.scalars(select(Callback.kind)).all())
    assert kinds == ["event:some_future_event", "hologram"]


def test_official_account_subscribe_with_scene_text_and_click(harness: Harness) -> None:
    h = harness
    result = h.sim.mp_subscribe("oFANS001", scene="spring_poster")
    assert result["status"] == 200
    assert "感谢关注" in (result.get("reply") or "")  # passive reply, decrypted by the simulator
    h.sim.mp_text("oFANS001", "你们几点开门？")
    h.sim.mp_click("oFANS001", "MENU_BOOK")
    h.sim.mp_unsubscribe("oFANS001")
    h.settle()

    c = customer(h, openid="oFANS001")
    with h.db.session() as session:
        events = session.scalars(select(Event).where(Event.customer_id == c.id, Event.source == "wechat")
                                 .order_by(Event.id)).all()
        texts = session.scalars(select(Message.content).where(Message.customer_id == c.id)).all()
    assert [(e.type, e.data) for e in events] == [
        ("subscribed", {"state": "spring_poster"}),
        ("menu_click", {"key": "MENU_BOOK"}),
        ("unsubscribed", {}),
    ]
    assert texts == ["你们几点开门？"]
    assert c.attributes["mp_subscribed"] is False


def test_staff_help_command_is_acked_at_once_and_answered_by_app_message(harness: Harness) -> None:
    result = harness.sim.staff_text("guide_li", "帮助")
    assert result["status"] == 200 and not result.get("reply")  # the ack does not wait for the router
    harness.settle()
    assert any("思域助手" in text for text in harness.sim.delivered(api="message/send", to="guide_li"))


def test_ack_is_fast_even_when_wechat_is_slow(harness: Harness) -> None:
    """Calls to WeChat never delay the ack: the welcome call fails here, the ack does not wait."""
    h = harness
    h.sim.fault("externalcontact/send_welcome_msg", http_status=503, times=5)
    started = time.monotonic()
    added = h.sim.add_customer("快客", userid="guide_li")
    assert added["status"] == 200
    assert time.monotonic() - started < 1.0
    assert h.stored_pushes() == 1  # committed before the ack


def test_healthz_reports_app_and_database(harness: Harness) -> None:
    response = requests.get(f"{harness.bot_url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json()["app"] == "ok" and response.json()["database"] == "ok"
