"""微信客服 with two accounts: each pulled message is attributed to its own account and answered there."""

from __future__ import annotations

from sqlalchemy import select

from bot.inbound.parsing import parse_fields
from bot.models import Callback
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
