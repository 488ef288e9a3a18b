"""Official Account followers: user/info has no nickname any more, so the bot names a follower from
what it has (a guide's remark on the same person's WeCom contact) and says where a name came from."""

from __future__ import annotations

from bot.models import Customer, CustomerGuide
from tests.support.harness import Harness


def test_a_follower_gets_no_made_up_name(harness: Harness) -> None:
    h = harness
    h.sim.mp_subscribe("oFAN1", nickname="小美")                       # WeChat no longer tells the bot
    h.settle()

    with h.db.session() as session:
        customer = session.get(Customer, h.customer_id(openid="oFAN1"))
        assert (customer.name, customer.attributes["name_source"]) == ("", "none")


def test_a_follower_takes_the_guides_remark_for_a_name(harness: Harness) -> None:
    h = harness
    h.sim.mp_subscribe("oFAN2", unionid="uFAN2")
    h.settle()
    with h.db.session() as session:
        customer = session.get(Customer, h.customer_id(openid="oFAN2"))
        staff = h.runtime.customers(session).staff("guide_li", "李导购")
        session.add(CustomerGuide(customer_id=customer.id, staff_id=staff.id, remark="张阿姨（会员）",
                                  added_at=h.runtime.clock.now()))
    h.sim.advance_clock(60)
    h.sim.mp_subscribe("oFAN2", unionid="uFAN2")                      # subscribes again: refreshed
    h.settle()

    with h.db.session() as session:
        customer = session.get(Customer, h.customer_id(openid="oFAN2"))
        assert (customer.name, customer.attributes["name_source"]) == ("张阿姨（会员）", "guide_remark")
