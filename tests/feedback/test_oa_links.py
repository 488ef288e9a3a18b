"""Over the Official Account the feedback buttons are tracked links: a click records the answer
and shows a small thank-you page; link previews and crawlers do not answer for the customer."""

from __future__ import annotations

import re

import requests
from sqlalchemy import func, select

from bot.models import Event

from tests.feedback.support import INTRO, NEWS, feedback_events, last_active, tags
from tests.playbooks.support import PlaybookHarness, simple_playbook

WECHAT_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47 NetType/WIFI"


def offered(journey) -> tuple[PlaybookHarness, int, dict[str, str]]:  # type: ignore[no-untyped-def]
    h = journey({"intro.toml": INTRO, "news.toml": NEWS})
    customer = h.mp_follower("oFOLLOWER0001", write="你好")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()
    [text] = h.delivered(customer, api="mp/message/custom/send")
    links = dict((label, f"{h.bot_url}/r/{token}")
                 for token, label in re.findall(r'<a href="http://links\.test/r/([\w-]+)">([^<]+)</a>', text))
    assert text.startswith("您好，新到的水光针体验名额有限") and list(links) == ["想了解更多", "不感兴趣"]
    return h, customer, links


def click(url: str, agent: str = WECHAT_BROWSER, method: str = "GET") -> requests.Response:
    return requests.request(method, url, headers={"User-Agent": agent}, allow_redirects=False, timeout=10)


def test_a_click_records_the_answer_and_thanks_in_chinese(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, links = offered(journey)
    h.advance(minutes=30)
    page = click(links["想了解更多"])
    assert page.status_code == 200 and "感谢您的反馈！" in page.text and "想了解更多" in page.text
    delivery = h.delivery(customer, "offer")
    assert feedback_events(h, customer) == [{
        "option": "interested", "label": "想了解更多", "delivery_id": delivery.id, "playbook": "intro",
        "step": "offer", "channel": "link"}]
    assert "反馈:想了解" in tags(h, customer)
    assert last_active(h, customer) == h.clock.now()
    assert h.delivery(customer, "reminder").status == "scheduled"
    # Not a click on a web link: no link_clicked event that a goal could take for interest.
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "link_clicked")) == 0


def test_not_interested_by_link_ends_the_journey_and_lowers_the_cap(journey) -> None:  # type: ignore[no-untyped-def]
    h, customer, links = offered(journey)
    assert click(links["不感兴趣"], agent="facebookexternalhit/1.1").status_code == 200  # a preview: no answer
    assert click(links["不感兴趣"], method="HEAD").status_code == 200
    assert feedback_events(h, customer) == []
    h.advance(seconds=30)
    page = click(links["不感兴趣"])
    assert "已收到，我们会减少此类消息的推送。" in page.text
    h.advance(seconds=30)
    assert click(links["不感兴趣"]).status_code == 200                # a second tap: the same answer, once
    assert [e["option"] for e in feedback_events(h, customer)] == ["not_interested"]
    assert "反馈:不感兴趣" in tags(h, customer)
    assert [e.status for e in h.enrolments(customer)] == ["exited"]
    assert h.delivery(customer, "reminder").status == "cancelled"

    h.event(customer, "newsletter")
    h.advance(hours=2)
    h.dispatch()
    assert h.delivery(customer, "one").status == "scheduled"          # once a week: the offer was this week's


def test_an_unknown_feedback_token_is_404(journey) -> None:  # type: ignore[no-untyped-def]
    h, _, links = offered(journey)
    assert click(links["不感兴趣"][:-1] + "~").status_code == 404


MASS = simple_playbook("mass-offer", steps="""
[[steps]]
id = "offer"
after = "1h"
channels = ["wecom_mass"]
feedback = true
text = "本月会员日，想了解一下吗？"
""")


def test_a_mass_message_carries_the_buttons_as_labelled_links(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"mass.toml": MASS})
    customer = h.kf_customer("王女士", write=None)
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().awaiting == 1
    [task] = [t for t in h.sim.mass_tasks() if t["external_userid"]]
    h.sim.confirm_mass(task["msgid"])                                   # the guide taps send
    [text] = h.sim.delivered(api="mass_message", to=h.external_userid(customer))
    body, links = text.split("\n\n")
    assert body == "本月会员日，想了解一下吗？"
    tokens = re.findall(r"^(想了解更多|不感兴趣)：http://links\.test/r/([\w-]+)$", links, re.M)
    assert [label for label, _ in tokens] == ["想了解更多", "不感兴趣"]
    assert "已收到" in click(f"{h.bot_url}/r/{tokens[1][1]}").text
    assert [(e["option"], e["channel"]) for e in feedback_events(h, customer)] == [("not_interested", "link")]
