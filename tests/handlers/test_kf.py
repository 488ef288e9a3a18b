"""微信客服 with two accounts: each pulled message is attributed to its own account and answered there."""

from __future__ import annotations

from sqlalchemy import select

from bot.inbound.parsing import parse_fields
from bot.models import Callback, Message
from tests.support.harness import Harness

FIRST, SECOND = "wkSIM0001", "wkSIM0002"


def test_two_kf_accounts_messages_and_replies_stay_apart(harness: Harness) -> None:
    h = harness
    h.sim.kf_message("wmA", "TD", open_kfid=FIRST)
    h.settle()  # one at a time: concurrent first opt-outs race on the tag (issue 10, point 1)
    h.sim.kf_message("wmB", "TD", open_kfid=SECOND)
    h.settle()

    with h.db.session() as session:
        pulled = [parse_fields(body) for body in session.scalars(select(Callback.body).where(Callback.channel == "kf"))]
    assert sorted((f["FromUserName"], f["OpenKfId"]) for f in pulled) == [("wmA", FIRST), ("wmB", SECOND)]
    replies = {r["to"]: r for r in h.sim.sent(api="kf/send_msg")}
    assert set(replies) == {"wmA", "wmB"}                                # each answered once, on its account
    assert replies["wmA"]["payload"]["open_kfid"] == FIRST and replies["wmA"]["delivered"]
    assert replies["wmB"]["payload"]["open_kfid"] == SECOND and replies["wmB"]["delivered"]


def test_a_servicers_answer_in_wecom_is_kept_in_the_customers_history(harness: Harness) -> None:
    h = harness
    h.sim.kf_message("wmC", "我要找人工", open_kfid=FIRST)
    h.settle()
    h.sim.kf_servicer_takes("wmC", "guide_li")
    h.sim.kf_servicer_reply("wmC", "您好，我是李导购，马上为您处理")
    h.settle()

    with h.db.session() as session:
        answers = session.scalars(select(Message).where(Message.customer_id == h.customer_id(external_userid="wmC"),
                                                        Message.direction == "out")).all()
        kept = [(m.content, m.payload.get("servicer_userid")) for m in answers if m.payload.get("origin") == 5]
    assert kept == [("您好，我是李导购，马上为您处理", "guide_li")]
