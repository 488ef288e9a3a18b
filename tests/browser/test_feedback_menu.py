"""The person playing a customer taps a feedback button of a 微信客服 menu message in the simulator's page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from tests.feedback.support import INTRO, feedback_events, tags
from tests.playbooks.support import START, PlaybookHarness, playbook_dir

pytestmark = pytest.mark.browser
# SIYU_SCREENSHOTS=docs writes the page as docs/simulator-feedback-menu.png.
SCREENSHOTS = os.environ.get("SIYU_SCREENSHOTS", "")


@pytest.fixture
def h(sqlite_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    harness = PlaybookHarness(sqlite_url, playbook_dir(tmp_path, {"intro.toml": INTRO}), FrozenClock(START))
    yield harness
    harness.close()


def test_a_tap_on_a_menu_button_in_the_page_comes_back_as_feedback(h: PlaybookHarness, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()

    page.goto(h.sim_server.url + "/")
    page.wait_for_selector(".menu button:has-text('不感兴趣')", timeout=15_000)
    assert page.locator(".menu button").all_inner_texts() == ["想了解更多", "不感兴趣"]
    page.screenshot(path=str(Path(SCREENSHOTS or tmp_path) / "simulator-feedback-menu.png"))

    page.locator(".menu button:has-text('不感兴趣')").click()
    page.wait_for_selector("#timeline >> text=已收到，我们会减少此类消息的推送。", timeout=15_000)
    page.wait_for_selector("#timeline >> text=点击菜单", timeout=5_000)
    h.settle()
    assert [e["option"] for e in feedback_events(h, customer)] == ["not_interested"]
    assert "反馈:不感兴趣" in tags(h, customer)
    assert [e.status for e in h.enrolments(customer)] == ["exited"]


def test_a_follower_opens_a_feedback_link_and_sees_the_thank_you_page(h: PlaybookHarness, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    h.runtime.config.bot.public_url = h.bot_url  # the links must reach this test's bot (as in the demo)
    customer = h.mp_follower("oFOLLOWER0001", write="你好")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()

    page.goto(h.sim_server.url + "/")
    link = page.locator("#timeline a:has-text('想了解更多')")
    link.wait_for(timeout=15_000)
    assert page.locator("#timeline a").all_inner_texts() == ["想了解更多", "不感兴趣"]
    with page.expect_popup() as opened:
        link.click()
    thanks = opened.value
    thanks.wait_for_selector("#thanks")
    assert thanks.inner_text("#thanks") == "感谢您的反馈！"
    thanks.set_viewport_size({"width": 390, "height": 600})
    thanks.screenshot(path=str(Path(SCREENSHOTS or tmp_path) / "feedback-thanks.png"))
    h.settle()
    assert [e["option"] for e in feedback_events(h, customer)] == ["interested"]
    assert "反馈:想了解" in tags(h, customer)
