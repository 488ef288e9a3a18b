"""快进 in a real browser: a customer in the post-treatment playbook, one press of 快进 1 天 in the
console, and the day-1 step shows in the simulator page and in the customer's timeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.test_console import login
from tests.support.harness import Harness
from tests.timetravel.support import CHINA, PASSWORD, demo_harness, enter_post_treatment, start_at_noon

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(database_url: str) -> Iterator[Harness]:
    h = demo_harness(database_url)
    yield h
    h.close()


def test_fast_forward_a_day_in_the_console_delivers_the_day1_step(demo: Harness, browser, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    start_at_noon(demo)
    _, customer_id = enter_post_treatment(demo, "小美")
    login(page, demo.bot_url, "yunying", PASSWORD)
    page.goto(f"{demo.bot_url}/console/customers/{customer_id}")
    delivery = page.locator("#timeline li", has_text="post-treatment-followup · day1-care")
    assert "scheduled" in delivery.inner_text()
    before = page.inner_text("#demo-now")

    page.click("#demo-clock >> button:has-text('快进 1 天')")

    page.wait_for_selector(".flash:has-text('已快进 1 天')")
    assert page.inner_text("#demo-now") != before
    assert "sent" in delivery.inner_text()
    page.screenshot(path=str(tmp_path / "console-after-jump.png"), full_page=True)

    simulator = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    simulator.goto(demo.sim_server.url + "/")
    item = simulator.wait_for_selector("#timeline li:has-text('今天是您做完水光针的第一天')")
    assert "客服消息" in item.inner_text() and "小美您好" in item.inner_text()
    # The page shows the shared clock, moved in all (start_at_noon's move counts too: 1 or 2 days
    # ahead, by the hour the test runs at), on the day the console jumped to.
    day = demo.runtime.clock.now().astimezone(CHINA)
    clock = simulator.inner_text("#clock")
    assert f"{day.year}/{day.month}/{day.day}" in clock and "已快进 " in clock
    simulator.screenshot(path=str(tmp_path / "simulator-after-jump.png"), full_page=True)
    simulator.context.close()
