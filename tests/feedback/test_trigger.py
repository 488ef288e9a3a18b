"""A playbook can start on a feedback answer: 想了解 under the intro starts the follow-up."""

from __future__ import annotations

from tests.feedback.support import INTRO
from tests.feedback.test_kf_menu import menu_sent, tap
from tests.playbooks.support import simple_playbook

FOLLOW_UP = simple_playbook("follow-up", trigger='feedback = "interested"\nplaybook = "intro"', steps="""
[[steps]]
id = "details"
after = "10min"
channels = ["kf", "guide_task"]
text = "{{ customer.name }}，这是水光针的详细介绍和价格～"
""")
OTHER_INTRO = simple_playbook("other", trigger='event = "other_offer"', steps="""
[[steps]]
id = "offer"
after = "1h"
channels = ["kf"]
feedback = { interested = "感兴趣" }
text = "另一个活动"
""")


def test_interested_in_the_intro_starts_the_follow_up(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"intro.toml": INTRO, "follow-up.toml": FOLLOW_UP})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()
    tap(h, customer, menu_sent(h, customer), "想了解更多")
    [follow_up] = [e for e in h.enrolments(customer) if e.playbook_id == "follow-up"]
    assert (follow_up.status, follow_up.trigger_type) == ("active", "feedback_clicked")
    h.advance(minutes=10)
    h.dispatch()
    assert h.delivered(customer)[-1] == "王女士，这是水光针的详细介绍和价格～"


def test_the_playbook_filter_and_the_option_must_match(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"intro.toml": INTRO, "follow-up.toml": FOLLOW_UP, "other.toml": OTHER_INTRO})
    customer = h.kf_customer("李先生")
    h.event(customer, "other_offer")
    h.advance(hours=1)
    h.dispatch()
    record = menu_sent(h, customer)
    assert [i["click"]["content"] for i in record["payload"]["msgmenu"]["list"]] == ["感兴趣"]
    tap(h, customer, record, "感兴趣")                                  # interested, but in another playbook
    assert [e.playbook_id for e in h.enrolments(customer)] == ["other"]

    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()
    tap(h, customer, _intro_menu(h, customer), "不感兴趣")
    assert "follow-up" not in [e.playbook_id for e in h.enrolments(customer)]


def _intro_menu(h, customer):  # type: ignore[no-untyped-def]
    [record] = [r for r in h.sim.sent(api="kf/send_msg", to=h.external_userid(customer))
                if r["payload"].get("msgtype") == "msgmenu" and "水光针" in r["payload"]["msgmenu"]["head_content"]]
    return record
