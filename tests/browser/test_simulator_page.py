"""A person plays a customer in the simulator's page and sees what the bot sent."""

from __future__ import annotations

import pytest

from tests.support.harness import Harness

pytestmark = pytest.mark.browser


@pytest.fixture
def h(sqlite_url: str):  # type: ignore[no-untyped-def]
    harness = Harness(sqlite_url)
    harness.seed_staff()
    yield harness
    harness.close()


def test_customer_adds_a_guide_in_the_page_and_sees_the_welcome_message(h: Harness, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page.goto(h.sim_server.url + "/")
    page.fill("#c-name", "页面客户")
    page.select_option("#c-guide", "guide_li")
    page.fill("#c-state", "store_web")
    page.click("button:has-text(\"添加导购\")")
    # The bot's welcome task runs right after its ack; the page polls the sent log.
    page.wait_for_selector("#timeline >> text=专属顾问李导购", timeout=15_000)
    page.screenshot(path=str(tmp_path / "simulator.png"), full_page=True)

    page.fill("#c-text", "你好，想问下水光针多少钱")
    page.click("button:has-text(\"发送客服消息\")")
    page.wait_for_function(
        "() => document.querySelector('#status') && document.querySelector('#status').innerText.length > 0",
        timeout=10_000)
    h.settle()
    assert h.sim.inbound()  # the customer's message went to the bot
    page.click("button:has-text(\"删除导购\")")
    page.wait_for_selector("#timeline >> text=已将您从微信好友中删除", timeout=15_000)
