"""The chat sidebar in the simulator's guide chat window: OAuth, the JS-SDK stand-in, tags (标错了 among them), 话术."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.labels.store import labelled
from tests.support.harness import Harness

pytestmark = pytest.mark.browser
# SIYU_SCREENSHOTS=docs writes the screenshots for the documentation there.
SHOTS = os.environ.get("SIYU_SCREENSHOTS")


@pytest.fixture
def h(sqlite_url: str):  # type: ignore[no-untyped-def]
    harness = Harness(sqlite_url)
    harness.seed_staff()
    yield harness
    harness.close()


def _customer(h: Harness) -> str:
    external_userid = h.sim.add_customer("小美", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.kf_message(external_userid, "想预约下周六做水光针，多少钱？")
    h.settle()
    return external_userid


def _eventually(check, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.2)


def _shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    target = Path(SHOTS) if SHOTS else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name))


def test_the_sidebar_shows_the_chat_customer_edits_tags_and_sends_scripts(h: Harness, page, browser,
                                                                         tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    external_userid = _customer(h)
    page.goto(f"{h.sim_server.url}/sim/chat?userid=guide_li&external_userid={external_userid}")
    sidebar = page.frame_locator("#sidebar")

    expect(sidebar.locator("#name")).to_contain_text("小美", timeout=15_000)
    expect(sidebar.locator("#tags")).to_contain_text("项目:水光针")
    expect(sidebar.locator("#scripts li").first).to_contain_text("水光针价格")
    expect(page.locator("#sdk-log")).to_contain_text("wx.agentConfig ok")

    sidebar.locator("#tag-input").fill("VIP客户")
    sidebar.locator("#tag-form button").click()
    expect(sidebar.locator("#tags")).to_contain_text("VIP客户")

    def synced() -> bool:
        h.settle()
        return "VIP客户" in h.sim.contact_tags(external_userid, "guide_li")
    _eventually(synced)

    price = sidebar.locator("#tags .chip", has_text="关注:价格")                 # 标错了: labelled for 标注
    assert price.get_attribute("title") == "客户说：想预约下周六做水光针，多少钱？"
    assert sidebar.locator("#tags .chip", has_text="VIP客户").locator("button.wrong").count() == 0
    price.locator("button.wrong").click()
    expect(sidebar.locator("#status")).to_contain_text("已记下：「想预约下周六做水光针，多少钱？」不该打 关注:价格")
    expect(sidebar.locator("#tags")).not_to_contain_text("关注:价格")
    with h.db.session() as session:
        stored = [(s.tags, s.labelled_by) for s in labelled(session)]
    assert stored == [(("意向:预约", "项目:水光针"), "李导购（导购）")]

    first = sidebar.locator("#scripts li").first
    text = first.locator(".script-text").inner_text()
    first.locator("button").click()
    expect(page.locator("#transcript")).to_contain_text(text[:20])
    expect(sidebar.locator("#status")).to_contain_text("已发送到聊天")
    sent = h.sim.sent(api="chat/sendChatMessage", to=external_userid)
    assert [r["text"] for r in sent] == [text] and sent[0]["via"] == "sidebar"
    _shot(page, tmp_path, "sidebar-chat-window.png")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        small = phone.new_page()
        small.goto(f"{h.sim_server.url}/sim/chat?userid=guide_li&external_userid={external_userid}&phone=1")
        expect(small.frame_locator("#sidebar").locator("#name")).to_contain_text("小美", timeout=15_000)
        width = small.frame_locator("#sidebar").locator("body").evaluate("b => b.scrollWidth")
        assert width <= 390  # nothing wider than the phone
        _shot(small, tmp_path, "sidebar-phone.png")
    finally:
        phone.close()


def test_a_second_guide_cannot_open_the_first_guides_customer(h: Harness, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    external_userid = _customer(h)
    page.goto(f"{h.sim_server.url}/sim/chat?userid=guide_wang&external_userid={external_userid}")
    sidebar = page.frame_locator("#sidebar")

    expect(sidebar.locator("#status")).to_contain_text("小美不是您的客户", timeout=15_000)
    expect(sidebar.locator("#app")).to_be_hidden()
    _shot(page, tmp_path, "sidebar-not-your-customer.png")
