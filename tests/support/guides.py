"""Transcript helpers for guides: a guide writes to the app, reads what the app sent them."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import GuideAction
from tests.support.harness import Harness

# The suite runs beside other work on small machines: a generous wait, never a sleep.
SETTLE_SECONDS = 30


def say(h: Harness, guide: str, text: str) -> str:
    """The guide writes to the app; returns the bot's answer ("" for none), tasks settled.

    The webhook acks a guide's command at once; the answer comes after processing, as an app
    message (the app messages the command made the guide receive, one per line)."""
    before = len(app_messages(h, guide))
    result = h.sim.staff_text(guide, text)
    assert result["status"] == 200 and not result.get("reply")  # acked before it is routed
    h.settle(timeout=SETTLE_SECONDS)
    return "\n".join(app_messages(h, guide)[before:])


def app_messages(h: Harness, guide: str) -> list[str]:
    """Every app message that reached the guide, oldest first."""
    return h.sim.delivered(api="message/send", to=guide)


def last_app_message(h: Harness, guide: str) -> str:
    messages = app_messages(h, guide)
    assert messages, f"{guide} got no app message"
    return messages[-1]


def kf_customer(h: Harness, name: str, guide: str = "guide_li") -> tuple[str, int]:
    """A customer who added `guide` in WeCom; returns (external_userid, customer id)."""
    external_userid = h.sim.add_customer(name, userid=guide)["external_userid"]
    h.settle(timeout=SETTLE_SECONDS)
    return external_userid, h.customer_id(external_userid=external_userid)


def writes(h: Harness, external_userid: str, text: str) -> None:
    """The customer writes to 微信客服; the bot pulls, stores, tags and forwards it."""
    h.sim.kf_message(external_userid, text)
    h.settle(timeout=SETTLE_SECONDS)


def actions(h: Harness) -> list[GuideAction]:
    with h.db.session() as session:
        return list(session.scalars(select(GuideAction).order_by(GuideAction.id)))
