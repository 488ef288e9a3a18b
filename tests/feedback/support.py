"""Playbooks and readers for the feedback tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import Customer, Event, Message
from tests.playbooks.support import PlaybookHarness, simple_playbook

INTRO = simple_playbook("intro", extra='[audience]\nreentry = "always"\n', steps="""
[[steps]]
id = "offer"
after = "1h"
channels = ["kf", "mp_custom", "guide_task"]
feedback = true
text = "{{ customer.name }}您好，新到的水光针体验名额有限，想了解一下吗？"

[[steps]]
id = "reminder"
after = "3d"
channels = ["kf", "mp_custom", "guide_task"]
text = "名额还剩最后几个哦～"
""")
# A second journey the same customers are on, to see the frequency cap at work.
NEWS = simple_playbook("news", trigger='event = "newsletter"', steps="""
[[steps]]
id = "one"
after = "1h"
channels = ["kf", "mp_custom"]
text = "本周新闻一"

[[steps]]
id = "two"
after = "2h"
channels = ["kf", "mp_custom"]
text = "本周新闻二"
""")


def feedback_events(h: PlaybookHarness, customer_id: int) -> list[dict[str, Any]]:
    with h.db.session() as session:
        return [e.data for e in session.scalars(select(Event).where(
            Event.customer_id == customer_id, Event.type == "feedback_clicked").order_by(Event.id))]


def tags(h: PlaybookHarness, customer_id: int) -> set[str]:
    with h.db.session() as session:
        return set(session.get(Customer, customer_id).tag_names)  # type: ignore[union-attr]


def last_active(h: PlaybookHarness, customer_id: int) -> Any:
    with h.db.session() as session:
        return session.get(Customer, customer_id).last_active_at  # type: ignore[union-attr]


def messages_in(h: PlaybookHarness, customer_id: int) -> list[tuple[str, str]]:
    with h.db.session() as session:
        return [(m.msg_type, m.content) for m in session.scalars(select(Message).where(
            Message.customer_id == customer_id, Message.direction == "in").order_by(Message.id))]
