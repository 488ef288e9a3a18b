"""A customer on the demo's shared clock entering the post-treatment playbook, for the API and browser tests."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.console.accounts import AccountService
from tests.support.harness import Harness

CHINA = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-1"


def demo_harness(database_url: str) -> Harness:
    """The demo's stack: bot and simulator over HTTP on one shared clock, 快进 on, the webhook's
    timestamp window on, the simulated guides and an operator `yunying` in place."""
    h = Harness(database_url, time_travel=True)
    h.seed_staff()
    with h.db.session() as session:
        AccountService(session, h.runtime.clock, h.config.console).add("yunying", "operator", PASSWORD)
    return h


def start_at_noon(h: Harness) -> None:
    """Move the shared clock (as the simulator page does) to the next 12:00 in China: quiet hours and
    the steps' 10:00 then never blur what a jump of whole days does."""
    now = h.runtime.clock.now().astimezone(CHINA)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    h.sim.advance_clock(((noon if noon > now else noon + timedelta(days=1)) - now).total_seconds())


def enter_post_treatment(h: Harness, name: str) -> tuple[str, int]:
    external_userid = h.sim.add_customer(name, userid="guide_li")["external_userid"]
    h.sim.kf_message(external_userid, "刚做完水光针，回家了")  # opens the 48 h 微信客服 window
    h.settle()
    response = h.api("POST", "/api/events", json={
        "customer": {"external_userid": external_userid}, "type": "treatment_completed",
        "at": h.runtime.clock.now().isoformat(), "data": {"item": "水光针"}})
    assert response.status_code == 202, response.text
    h.settle()
    return external_userid, h.customer_id(external_userid=external_userid)
