"""Over 微信客服 a step with feedback buttons is a menu message; the customer's tap comes back
through kf/sync_msg as their menu reply, and counts as feedback for that delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.analytics.playbook_report import playbook_report
from bot.console.accounts import Identity
from bot.console.directory import CustomerDirectory
from bot.feedback.buttons import menu_id
from bot.playbooks.preview import preview_lines
from tests.feedback.support import INTRO, NEWS, feedback_events, last_active, messages_in, tags
from tests.playbooks.support import SH, PlaybookHarness


def menu_sent(h: PlaybookHarness, customer_id: int) -> dict[str, Any]:
    [record] = [r for r in h.sim.sent(api="kf/send_msg", to=h.external_userid(customer_id))
                if r["payload"].get("msgtype") == "msgmenu"]
    return record


def tap(h: PlaybookHarness, customer_id: int, record: dict[str, Any], label: str) -> None:
    [item] = [i["click"] for i in record["payload"]["msgmenu"]["list"] if i["click"]["content"] == label]
    h.sim.kf_menu_click(h.external_userid(customer_id), record["msgid"], item["id"])
    h.settle()


def offered(journey, **sections: Any) -> tuple[PlaybookHarness, int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    h = journey({"intro.toml": INTRO, "news.toml": NEWS}, **sections)
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()
    return h, customer, menu_sent(h, customer)


def test_the_step_goes_out_as_a_menu_with_both_buttons(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, record = offered(journey)
    menu = record["payload"]["msgmenu"]
    assert menu["head_content"] == "王女士您好，新到的水光针体验名额有限，想了解一下吗？"
    delivery = h.delivery(customer, "offer")
    assert [i["click"] for i in menu["list"]] == [
        {"id": menu_id(delivery.id, "interested"), "content": "想了解更多"},
        {"id": menu_id(delivery.id, "not_interested"), "content": "不感兴趣"}]
    assert delivery.status == "sent" and delivery.channel == "kf"


def test_not_interested_records_tags_ends_the_journey_and_lowers_the_cap(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, record = offered(journey)
    delivery = h.delivery(customer, "offer")
    h.advance(minutes=5)
    tap(h, customer, record, "不感兴趣")

    assert feedback_events(h, customer) == [{
        "option": "not_interested", "label": "不感兴趣", "delivery_id": delivery.id, "playbook": "intro",
        "step": "offer", "channel": "kf"}]
    assert "反馈:不感兴趣" in tags(h, customer)
    [enrolment] = [e for e in h.enrolments(customer) if e.playbook_id == "intro"]
    assert (enrolment.status, enrolment.reason) == ("exited", "feedback: not interested")
    assert h.delivery(customer, "reminder").status == "cancelled"
    assert last_active(h, customer) == h.clock.now()
    # The bot thanks them; the tap is kept as a menu click, not as words to tag or forward.
    assert h.delivered(customer)[-1] == "已收到，我们会减少此类消息的推送。"
    assert messages_in(h, customer)[-1] == ("menu_click", "不感兴趣")
    assert not [t for t in h.sim.delivered(api="message/send") if "不感兴趣" in t]

    # The console's timeline shows the answer and what it answers.
    with h.db.session() as session:
        directory = CustomerDirectory(session, h.clock, Identity(1, "admin", "admin", None))
        timeline = directory.timeline(directory.get(customer))
        [answer] = [item for item in timeline if item.kind == "feedback"]
        assert (answer.title, answer.text) == ("反馈 · 不感兴趣", "剧本 intro · offer（微信客服菜单）")

    # Tapping again changes nothing and is not thanked twice.
    tap(h, customer, record, "不感兴趣")
    assert len(feedback_events(h, customer)) == 1
    assert h.delivered(customer)[-1] == "已收到，我们会减少此类消息的推送。"
    assert len([t for t in h.delivered(customer) if t.startswith("已收到")]) == 1

    # They do not enter the intro again for a while, though it lets customers re-enter.
    h.event(customer, "treatment_completed")
    assert [e.status for e in h.enrolments(customer) if e.playbook_id == "intro"] == ["exited"]

    # `siyu playbook preview` shows the lower cap too.
    lines = "\n".join(preview_lines(h.config, h.db, h.clock, "news", customer_id=customer,
                                    event={"type": "newsletter", "data": {}}))
    assert "said 不感兴趣 lately: at most 1 message(s) a week from all playbooks" in lines
    assert "1. one: 2026-11-09 08:30" in lines

    # Every journey now reaches them once a week at most: the offer was this week's message.
    h.event(customer, "newsletter")
    h.advance(hours=2)
    h.dispatch()
    one = h.delivery(customer, "one")
    next_week = datetime(2026, 11, 9, tzinfo=SH)
    assert one.status == "scheduled" and next_week <= one.due_at < next_week + timedelta(days=1)
    h.at(one.due_at)
    h.dispatch()
    assert h.delivery(customer, "one").status == "sent"
    assert h.delivery(customer, "two").due_at >= next_week + timedelta(days=7)


def test_interested_tags_and_keeps_the_journey_and_the_later_answer_replaces_the_tag(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, record = offered(journey)
    tap(h, customer, record, "想了解更多")
    assert tags(h, customer) >= {"反馈:想了解"}
    assert [e["option"] for e in feedback_events(h, customer)] == ["interested"]
    assert h.delivery(customer, "reminder").status == "scheduled"
    assert h.delivered(customer)[-1] == "感谢您的反馈！"

    tap(h, customer, record, "不感兴趣")
    assert "反馈:不感兴趣" in tags(h, customer) and "反馈:想了解" not in tags(h, customer)
    assert h.delivery(customer, "reminder").status == "cancelled"
    # The playbook report counts the answers per step (and not as link clicks).
    with h.db.session() as session:
        offer = next(s for s in playbook_report(session, "intro").steps if s.step == "offer")
    assert (offer.interested, offer.not_interested, offer.clicked) == (1, 1, 0)


def test_the_time_not_interested_holds_is_configurable(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, record = offered(journey, feedback={"not_interested_cap_days": 0})
    tap(h, customer, record, "不感兴趣")
    h.event(customer, "newsletter")
    h.advance(hours=2)
    h.dispatch()
    assert h.delivery(customer, "two").status == "sent"
    h.event(customer, "treatment_completed")
    assert [e.status for e in h.enrolments(customer) if e.playbook_id == "intro"] == ["exited", "active"]


def test_tag_names_are_configurable(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, record = offered(journey, feedback={"interested_tag": "兴趣:水光针"})
    tap(h, customer, record, "想了解更多")
    assert "兴趣:水光针" in tags(h, customer)
