"""快进 in the demo: the bot and the simulator share one clock, the console and the simulator page move
it, and what falls due goes out at once; production has no such control."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import config_from_dict
from bot.console.accounts import AccountService
from bot.demo import shared_clock
from bot.models import Delivery
from bot.timetravel.service import TimeTravel
from tests.console.conftest import csrf_token
from tests.support.harness import Harness
from tests.timetravel.support import PASSWORD, demo_harness, enter_post_treatment, start_at_noon


@pytest.fixture
def demo(database_url: str) -> Iterator[Harness]:
    h = demo_harness(database_url)
    yield h
    h.close()


def login(client: FlaskClient) -> FlaskClient:
    response = client.post("/console/login", data={"username": "yunying", "password": PASSWORD,
                                                   "csrf_token": csrf_token(client, "/console/login")})
    assert response.status_code == 302
    return client


def sent_step(h: Harness, customer_id: int, step_id: str) -> Delivery | None:
    with h.db.session() as session:
        return session.scalars(select(Delivery).where(
            Delivery.customer_id == customer_id, Delivery.playbook_id == "post-treatment-followup",
            Delivery.step_id == step_id, Delivery.status == "sent")).one_or_none()


def test_fast_forward_in_the_console_delivers_the_day1_step(demo: Harness, caplog) -> None:  # type: ignore[no-untyped-def]
    start_at_noon(demo)
    external_userid, customer_id = enter_post_treatment(demo, "小美")
    assert sent_step(demo, customer_id, "day1-care") is None
    client = login(demo.app.test_client())
    caplog.set_level(logging.INFO, logger="bot.simulator")

    before = demo.runtime.clock.now()
    response = client.post("/console/time-travel", data={
        "jump": "1d", "next": f"/console/customers/{customer_id}",
        "csrf_token": csrf_token(client, f"/console/customers/{customer_id}")})

    assert response.status_code == 302 and response.location.endswith(f"/console/customers/{customer_id}")
    assert demo.runtime.clock.now() - before >= timedelta(days=1)
    assert abs(demo.sim.overview()["now"] - demo.runtime.clock.now().timestamp()) < 5   # one clock
    day1 = [text for text in demo.sim.delivered(api="kf/send_msg", to=external_userid) if "第一天" in text]
    assert len(day1) == 1 and "小美您好" in day1[0]                      # over 微信客服: the window is 24 h old
    assert sent_step(demo, customer_id, "day1-care").channel == "kf"    # type: ignore[union-attr]
    page = client.get(f"/console/customers/{customer_id}").get_data(as_text=True)
    assert "已快进 1 天" in page and "post-treatment-followup · day1-care" in page
    assert "演示时间" in page
    assert not [r for r in caplog.records if "token errcode" in r.getMessage()]  # tokens renewed, none refused


def test_the_simulator_page_moves_the_same_clock_and_windows_close(demo: Harness) -> None:
    start_at_noon(demo)
    external_userid, customer_id = enter_post_treatment(demo, "王女士")

    demo.sim.advance_clock(3 * 86400)           # the simulator page's clock, three days in one go
    # WeChat takes the day-3 kf message after the window closed and reports it failed a moment later
    # (msg_send_fail, the simulator's default; its callback token expired inside the jump, so the bot
    # pulls without one); the step then falls back to its next channel.
    demo.settle()
    demo.runtime.features["playbooks"].outbox.dispatch_due()

    # The bot stopped at each step's moment on the way: day 1 inside the 48 h kf window, day 3 after it.
    assert sent_step(demo, customer_id, "day1-care").channel == "kf"    # type: ignore[union-attr]
    day3 = sent_step(demo, customer_id, "day3-checkin")
    assert day3 is not None and day3.channel == "guide_task"            # the kf window closed after 48 h
    assert not [t for t in demo.sim.delivered(api="kf/send_msg", to=external_userid) if "第三天" in t]
    # The webhook's timestamp window stays on: the simulator signs with the same clock the bot checks.
    assert demo.config.webhook.max_timestamp_age_seconds > 0
    demo.sim.kf_message(external_userid, "恢复得不错")
    assert demo.sim.inbound()[-1]["status"] == 200


def test_the_demo_clock_shows_in_the_console_header(demo: Harness) -> None:
    client = login(demo.app.test_client())
    page = client.get("/console/dashboard").get_data(as_text=True)
    assert "演示时间" in page and "快进 7 天" in page and "未快进" in page
    status = client.get("/console/time-travel").get_json()
    assert abs(datetime.fromisoformat(status["now"]).timestamp() - demo.sim.overview()["now"]) < 5
    token = csrf_token(client, "/console/dashboard")
    bad = client.post("/console/time-travel", data={"jump": "-1d", "csrf_token": token})
    assert bad.status_code == 400


@pytest.mark.parametrize("time_travel", [False, True])
def test_production_has_no_time_travel(database_url: str, tmp_path, time_travel: bool) -> None:  # type: ignore[no-untyped-def]
    """Off by default; and switched on outside the demo (real time, no shared clock) it stays off."""
    config = config_from_dict({"database": {"url": database_url}, "wecom": {"enabled": False},
                               "bot": {"playbooks_dir": str(tmp_path)},
                               "console": {"secret_key": "k", "secure_cookies": False, "time_travel": time_travel}})
    app = create_app(config, routers=[])
    runtime = app.extensions["siyu"]
    try:
        with runtime.db.session() as session:
            AccountService(session, runtime.clock, config.console).add("yunying", "operator", PASSWORD)
        client = login(app.test_client())
        assert client.get("/console/time-travel").status_code == 404
        token = csrf_token(client, "/console/dashboard")
        assert client.post("/console/time-travel", data={"jump": "1d", "csrf_token": token}).status_code == 404
        assert "演示时间" not in client.get("/console/dashboard").get_data(as_text=True)
    finally:
        runtime.close()


def test_a_restarted_demo_goes_on_where_it_stopped(demo: Harness) -> None:
    demo.sim.advance_clock(86400)
    ahead = demo.runtime.clock.now() - datetime.now(UTC)

    _, restarted = shared_clock()                        # the next `siyu demo` on the same database
    TimeTravel(demo.runtime, restarted)

    assert restarted.now() - datetime.now(UTC) >= ahead - timedelta(seconds=5)


def test_the_official_account_window_closes_after_48_hours_of_demo_time(demo: Harness) -> None:
    start_at_noon(demo)
    demo.sim.mp_subscribe("oTT0001")
    demo.sim.mp_text("oTT0001", "做完水光针了")                          # opens the 48 h customer-service window
    demo.settle()
    response = demo.api("POST", "/api/events", json={
        "customer": {"openid": "oTT0001"}, "type": "treatment_completed",
        "at": demo.runtime.clock.now().isoformat(), "data": {"item": "水光针"}})
    assert response.status_code == 202, response.text
    customer_id = demo.customer_id(openid="oTT0001")

    demo.sim.advance_clock(3 * 86400)

    assert sent_step(demo, customer_id, "day1-care").channel == "mp_custom"   # type: ignore[union-attr]
    day3 = sent_step(demo, customer_id, "day3-checkin")
    assert day3 is not None and day3.channel == "guide_task"            # the OA window closed on day 2:
    assert "mp_custom: errcode 45015" in day3.last_error                # WeChat refused, as it would have
    assert not [t for t in demo.sim.delivered(api="mp/message/custom/send", to="oTT0001") if "第三天" in t]
