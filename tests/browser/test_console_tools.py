"""The console's 渠道活码 and 标签规则 pages in a real browser, over a running bot and simulator:
make a channel code and see an add counted; break the rules (error shown, old rules still tagging),
fix them, and see 试一试 give the new tag with its reason; 改动预览 shows which of the customers' messages
the edit would tag."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.console.accounts import AccountService
from bot.models import ChannelCode, ReferralCode
from tests.console.conftest import PASSWORD, START
from tests.console.test_rules import NEW_RULE
from tests.support.harness import Harness

pytestmark = pytest.mark.browser

# SIYU_SCREENSHOTS=docs/console writes the screenshots for the documentation there.
SHOTS = Path(os.environ["SIYU_SCREENSHOTS"]).resolve() if os.environ.get("SIYU_SCREENSHOTS") else None


@pytest.fixture
def shop(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    # The rule files where a deployment keeps them (the defaults, relative to its directory), so the
    # editors (and their screenshots) show rules/tags.toml, not a temporary path.
    shipped = Path(__file__).resolve().parents[2] / "rules"
    (tmp_path / "rules").mkdir()
    for name in ("tags.toml", "scripts.toml", "tags.model.json"):
        (tmp_path / "rules" / name).write_text((shipped / name).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    clock = FrozenClock(START)
    h = Harness(sqlite_url, clock=clock, bot={"tag_rules": "rules/tags.toml", "scripts": "rules/scripts.toml"},
                console={"secret_key": "browser-test-key", "secure_cookies": False})
    h.seed_staff()
    with h.db.session() as session:
        AccountService(session, clock, h.runtime.config.console).add("yunying", "operator", PASSWORD)
    yield h
    h.close()


def shot(page, tmp_path: Path, name: str, part: str | None = None, top: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """The whole page (its first `top` pixels), or the element `part` selects, into docs/console
    (SIYU_SCREENSHOTS) or tmp_path."""
    target = str((SHOTS or tmp_path) / name)
    if part:
        page.locator(part).screenshot(path=target)
    elif top:
        page.screenshot(path=target, full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": top})
    else:
        page.screenshot(path=target, full_page=True)


def try_sentence(page, sentence: str, until: str = "#try-decisions") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """试一试 on the rules page: the tags it shows and its decisions, once `until` is on the page."""
    page.fill("#try-sentence", sentence)
    page.click("#try-button")
    page.wait_for_selector(until)
    return page.inner_text(".try-tags"), page.inner_text("#try-decisions")


def login(page, h: Harness) -> None:  # type: ignore[no-untyped-def]
    page.goto(h.bot_url + "/console/login")
    page.fill("input[name=username]", "yunying")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("h1:has-text('概览')")


def customers_say(h: Harness, said: dict[str, list[str]]) -> None:
    """Each named customer is added to guide_li and writes their texts over 微信客服, through the simulator."""
    for name, texts in said.items():
        external_userid = h.sim.add_customer(name, userid="guide_li")["external_userid"]
        h.settle()
        for text in texts:
            h.sim.kf_message(external_userid, text)
        h.settle()


def test_a_channel_code_made_in_the_browser_counts_the_customer_who_adds(shop, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    h = shop
    login(page, h)
    page.click("nav >> text=渠道活码")
    page.fill("input[name=name]", "门店海报 · 静安店")
    page.fill("input[name=state]", "poster_jingan")
    page.check("input[name=users][value=guide_li]")
    page.fill("input[name=tags]", "渠道:门店海报，意向:到店")
    page.click("#save-code")
    assert "已创建渠道活码「门店海报 · 静安店」" in page.inner_text(".flash")
    row = page.locator("#channel-codes tr[data-state=poster_jingan]")
    assert row.locator(".adds").inner_text() == "0"
    page.wait_for_function("document.querySelector('td.qr img').naturalWidth > 0")  # the QR image loads

    with h.db.session() as session:
        config_id = session.scalar(select(ChannelCode.config_id).where(ChannelCode.state == "poster_jingan"))
    added = []
    for name, days in (("小美", 3), ("王女士", 2), ("陈小姐", 2), ("刘女士", 0)):  # over a few days
        h.runtime.clock.advance(timedelta(days=days))
        added.append(h.sim.add_customer(name, config_id=config_id)["external_userid"])
        h.settle()
    zhang = h.sim.add_customer("老客户张姐", userid="guide_li")["external_userid"]
    h.settle()  # the add is processed after the ack
    referrer = h.customer_id(external_userid=zhang)
    with h.db.session() as session:
        session.add(ReferralCode(customer_id=referrer, staff_id=h.runtime.customers(session).staff("guide_li").id,
                                 state=f"ref_{referrer}", created_at=h.runtime.clock.now()))
    h.sim.add_customer("张姐的朋友", userid="guide_li", state=f"ref_{referrer}")
    h.settle()
    h.api("POST", "/api/events", json={"customer": {"external_userid": added[0]}, "type": "purchase",
                                       "at": h.runtime.clock.now().isoformat(), "data": {"amount": 680}})
    h.settle()
    page.reload()

    assert row.locator(".adds").inner_text() == "4" and row.locator(".kept").inner_text() == "4"
    assert row.locator(".converted").inner_text() == "1"
    assert page.inner_text("#kpi-adds .value") == "4"
    assert "老客户张姐" in page.inner_text("#referrers")
    page.wait_for_selector("#chart-code-adds canvas")
    page.fill("input[name=name]", "朋友圈广告（双人轮流）")
    page.fill("input[name=state]", "moments_ad")
    page.check("input[name=users][value=guide_li]")
    page.check("input[name=users][value=guide_wang]")
    page.fill("input[name=tags]", "渠道:朋友圈")
    page.click("#save-code")
    assert "多人码" in page.locator("#channel-codes tr[data-state=moments_ad]").inner_text()
    shot(page, tmp_path, "channels.png")
    page.goto(f"{h.bot_url}/console/customers?q=小美")
    page.click("#customer-list >> text=小美")
    assert "渠道:门店海报" in page.inner_text("#tags")


def test_a_broken_rule_edit_keeps_the_old_rules_and_try_explains_the_fixed_one(shop, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    h = shop
    login(page, h)
    page.click("nav >> text=标签规则")
    page.wait_for_selector("#live-status:has-text('校验通过')")
    original = page.input_value("#source")

    page.fill("#source", original + NEW_RULE.replace("keywords =", "keywrds ="))
    page.wait_for_selector("#live-status:has-text('有错误')")
    assert "keywrds" in page.inner_text("#live-problems") and "第 " in page.inner_text("#live-problems")
    page.click("#save")
    errors = page.inner_text("#save-errors")
    assert "未保存" in errors and "keywrds" in errors
    _, tagger = h.runtime.features["tagging"].store.current()
    assert [m.tag for m in tagger.tag("你们组织露营吗")] == [] and "意向:预约" in [m.tag for m in tagger.tag("想预约")]

    page.fill("#source", original + NEW_RULE)
    page.wait_for_selector("#live-status:has-text('校验通过')")
    tags, decisions = try_sentence(page, "周末想带孩子去露营，暂时不需要预约")
    assert "兴趣:露营" in tags
    assert "「露营」" in decisions and "✓ 计入" in decisions and "否定" in decisions
    shot(page, tmp_path, "rules.png")
    page.click("#save")
    assert "新规则已生效" in page.inner_text(".flash")
    _, tagger = h.runtime.features["tagging"].store.current()
    assert "兴趣:露营" in [m.tag for m in tagger.tag("你们组织露营吗")]

    page.click("nav >> text=话术库")
    page.wait_for_selector("#live-status:has-text('校验通过')")
    shot(page, tmp_path, "scripts.png")


def test_try_shows_the_learned_check_taking_back_and_adding_a_tag(shop, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An operator sees why the model overruled the keywords, in the same list as the keyword decisions."""
    h = shop
    login(page, h)
    page.click("nav >> text=标签规则")
    page.wait_for_selector("#live-status:has-text('校验通过')")

    # the keyword is there; nobody asked to book
    tags, decisions = try_sentence(page, "刚看到「预约有礼」的海报 挺好看的")
    assert "意向:预约" not in tags
    assert "✗ 不计" in decisions and "学习模型复核" in decisions and "未打标签" in decisions

    tags, decisions = try_sentence(page, "把剩下的钱打回我卡里吧，不上了",  # no refund keyword, plainly a refund
                                   until="#try-decisions:has-text('补打标签')")
    assert "诉求:退款" in tags
    assert "✓ 计入" in decisions and "学习模型复核" in decisions and "模型依据「" in decisions
    shot(page, tmp_path, "rules-model.png")
    checks = page.inner_text("#model-checks")  # which tags the model reads, and how, beside the editor
    assert "状态:退订\t按本标签复核：只补打，不撤销" in checks and "项目:热玛吉\t不复核：话题标签，提到就算" in checks
    shot(page, tmp_path, "rules-model-checks.png", "#model-checks")


def test_preview_shows_an_edit_over_the_customers_latest_messages_before_saving(shop, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """改动预览: customers write through the simulator; an operator adds a rule and, before saving, sees
    which of their messages would get it, per tag, and which messages still get no tag at all."""
    h = shop
    said = {"小林": ["周末想带孩子去露营，你们组织吗", "帐篷要自己带吗"], "阿秀": ["水光针多少钱，最近有优惠吗"],
            "老周": ["好的，收到，谢谢", "你们店几点关门", "周六晚上几点关门呀"]}
    customers_say(h, said)
    login(page, h)
    page.click("nav >> text=标签规则")
    page.wait_for_selector("#live-status:has-text('校验通过')")
    page.fill("#source", page.input_value("#source") + NEW_RULE)
    page.wait_for_selector("#live-status:has-text('校验通过')")
    page.click("#replay-button")
    page.wait_for_selector("#replay-shifts")
    summary = page.inner_text(".replay-summary")
    assert "最近 6 条客户消息" in summary and "2 条的标签会变" in summary and "3 条没有任何标签" in summary
    assert "兴趣:露营\t0\t2\t+2" in page.inner_text("#replay-shifts")
    changes = page.inner_text("#replay-changes")
    assert "帐篷要自己带吗" in changes and "+兴趣:露营" in changes and "小林" in changes
    assert page.locator("#replay-words .chip").all_inner_texts() == ["几点 ×2", "关门 ×2"]  # not 收到, not 你们
    page.click("#replay-untagged summary")
    untagged = page.inner_text("#replay-untagged")
    assert "好的，收到，谢谢" in untagged and "水光针" not in untagged
    shot(page, tmp_path, "rules-preview.png", "#replay-box")
    _, tagger = h.runtime.features["tagging"].store.current()
    assert [m.tag for m in tagger.tag("帐篷要自己带吗")] == []  # nothing was saved
