"""One person, one customer: the Official Account follower and the WeCom contact with the same
unionid become one record, whichever arrives first, with messages, events and tags together."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Customer, Event, Message
from tests.support.harness import Harness


def test_follower_and_contact_with_one_unionid_are_merged(harness: Harness) -> None:
    h = harness
    h.sim.mp_subscribe("oMERGE1", nickname="小美", unionid="uMERGE1")
    h.sim.mp_text("oMERGE1", "想预约周末")
    h.settle()
    added = h.sim.add_customer("小美", userid="guide_li", unionid="uMERGE1")
    h.settle()

    with h.db.session() as session:
        customers = session.scalars(select(Customer)).all()
        assert len(customers) == 1
        one = customers[0]
        assert (one.openid, one.external_userid, one.unionid) == ("oMERGE1", added["external_userid"], "uMERGE1")
        assert one.guide is not None and one.guide.userid == "guide_li"
        assert "意向:预约" in one.tag_names
        assert session.scalar(select(func.count()).select_from(Message).where(Message.customer_id != one.id)) == 0
        types = set(session.scalars(select(Event.type).where(Event.customer_id == one.id)))
        assert {"subscribed", "contact_added"} <= types


def test_different_unionids_stay_apart(harness: Harness) -> None:
    h = harness
    h.sim.mp_subscribe("oAPART", unionid="uA")
    h.sim.add_customer("别人", userid="guide_li", unionid="uB")
    h.settle()
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
