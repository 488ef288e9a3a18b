"""Transcript helpers for guides: a guide writes to the app, reads what the app sent them."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Callback, GuideAction
from tests.support.harness import Harness

# The suite runs beside other work on small machines: a generous wait, never a sleep.
SETTLE_SECONDS = 30


def say(h: Harness, guide: str, text: str) -> str:
    """The guide writes to the app; returns the bot's answer ("" for none), tasks settled.

    The webhook acks a guide's command at once; the answer is decided when the push is processed
    and reaches the guide as an app message (checked here), apart from any later notice."""
    result = h.sim.staff_text(guide, text)
    assert result["status"] == 200 and not result.get("reply")  # acked before it is routed
    h.settle(timeout=SETTLE_SECONDS)
    with h.db.session() as session:
        answer = session.scalars(select(Callback.reply).where(Callback.channel == "wecom", Callback.kind == "text",
                                                              Callback.customer_key == f"wecom:{guide}")
                                 .order_by(Callback.id.desc()).limit(1)).first()
    if answer:
        assert any(answer in sent for sent in app_messages(h, guide)), f"{guide} never got: {answer}"
    return answer or ""


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
