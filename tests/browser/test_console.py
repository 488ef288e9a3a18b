"""The operator console in a real browser: login, guide isolation, CSRF, the playbook editor, and charts
drawn from seeded data whose expected numbers the test computes itself."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import config_from_dict
from bot.models import Event
from bot.simulator import serve_in_thread
from tests.console.conftest import PASSWORD, PLAYBOOKS_DIR, START, Console
from tests.console.test_playbook_report import seed as seed_report
from tests.console.test_playbook_report import wilson

pytestmark = pytest.mark.browser


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Console, str]]:
    clock = FrozenClock(START)
    playbooks = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS_DIR, playbooks)
    config = config_from_dict({"database": {"url": sqlite_url}, "wecom": {"enabled": False},
                               "bot": {"playbooks_dir": str(playbooks)},
                               "console": {"secret_key": "browser-test-key", "secure_cookies": False}})
    app = create_app(config, routers=[], clock=clock)
    server = serve_in_thread(app)
    console = Console(app, app.extensions["siyu"], clock)
    yield console, server.url
    server.stop()
    console.runtime.close()


def login(page, url: str, name: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/console/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")


def test_login_and_a_guide_sees_only_their_customers(live, page) -> None:  # type: ignore[no-untyped-def]
    console, url = live
    console.add_user("li", "guide", wecom_userid="guide_li")
    mine = console.customer("小美", guide="guide_li")
    theirs = console.customer("王先生", guide="guide_wang")
    login(page, url, "li", "wrong-password")
    assert "用户名或密码错误" in page.inner_text("body")
    login(page, url, "li")
    page.wait_for_selector("h1:has-text('概览')")
    page.click("nav >> text=客户")
    rows = page.inner_text("#customer-list")
    assert "小美" in rows and "王先生" not in rows
    page.click("#customer-list >> text=小美")
    assert page.url.endswith(f"/console/customers/{mine}")
    response = page.goto(f"{url}/console/customers/{theirs}")
    assert response.status == 404 and "找不到" in page.inner_text("body")
    export = page.request.get(f"{url}/console/customers.csv")
    assert "小美" in export.text() and "王先生" not in export.text()
    assert "剧本" not in page.inner_text("nav")                       # guides do not edit playbooks


def test_a_post_without_the_csrf_token_is_rejected(live, page) -> None:  # type: ignore[no-untyped-def]
    console, url = live
    console.add_user("op", "operator")
    customer = console.customer("小美")
    login(page, url, "op")
    page.wait_for_selector("h1:has-text('概览')")
    forged = page.request.post(f"{url}/console/customers/{customer}/tags", form={"tag_name": "伪造"})
    assert forged.status == 400 and "CSRF" in forged.text()
    page.goto(f"{url}/console/customers/{customer}")
    page.fill("input[name=tag_name]", "真标签")
    page.click("button:has-text('打标签')")
    assert "已添加标签「真标签」" in page.inner_text("body")
    assert "伪造" not in page.inner_text("#tags")


def test_breaking_a_playbook_in_the_editor_keeps_the_running_version(live, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    console, url = live
    console.add_user("op", "operator")
    login(page, url, "op")
    page.goto(f"{url}/console/playbooks/birthday")
    version = page.inner_text("h1")
    assert "当前版本 1" in version and "校验通过" in page.inner_text("#live-status")
    source = page.input_value("#source")
    page.fill("#source", source.replace('at = "10:00"', 'at = "25:00"'))
    page.wait_for_selector("#live-status:has-text('有错误')")
    assert "steps[0].at" in page.inner_text("#live-problems")
    page.click("#save")
    assert "未保存" in page.inner_text("#save-errors") and "当前版本 1" in page.inner_text("h1")
    page.screenshot(path=str(tmp_path / "editor-broken.png"), full_page=True)
    page.fill("#source", source.replace("生日快乐！", "生日快乐呀！"))
    page.wait_for_selector("#live-status:has-text('校验通过')")
    assert "生日快乐呀" in page.inner_text("#form-view")               # the form view follows the source
    page.click("#save")
    assert "已保存为版本 2" in page.inner_text("body") and "当前版本 2" in page.inner_text("h1")


def test_dashboard_charts_show_the_seeded_numbers(live, page) -> None:  # type: ignore[no-untyped-def]
    console, url = live
    console.add_user("op", "operator")
    stages = ["active", "active", "active", "dormant", "lost"]
    scores = [10, 9, 9, 8, 3]
    ids = [console.customer(f"客户{i}", stage=stage, first_seen_at=START - timedelta(days=i))
           for i, stage in enumerate(stages)]
    with console.runtime.db.session() as session:
        for customer_id, score in zip(ids, scores, strict=True):
            session.add(Event(customer_id=customer_id, type="nps_answered", occurred_at=START, data={"score": score},
                              source="system"))
    promoters, detractors = sum(s >= 9 for s in scores), sum(s <= 6 for s in scores)
    expected_nps = round(100 * (promoters - detractors) / len(scores))
    login(page, url, "op")
    page.wait_for_selector("#chart-stage canvas")
    assert page.inner_text("#kpi-customers .value") == str(len(stages))
    assert page.inner_text("#kpi-nps .value") == str(expected_nps)
    pie = page.evaluate("() => window.siyuCharts['chart-stage'].getOption().series[0].data")
    assert {d["name"]: d["value"] for d in pie} == {"活跃": 3, "沉睡": 1, "已流失": 1}
    new = page.evaluate("() => window.siyuCharts['chart-new'].getOption().series[0].data")
    assert sum(new) == len(stages)


def test_ab_report_chart_shows_rates_and_intervals(live, page) -> None:  # type: ignore[no-untyped-def]
    console, url = live
    console.add_user("op", "operator")
    seed_report(console, {"story": (40, 12), "benefit": (40, 20), "holdout": (40, 6)})
    login(page, url, "op")
    page.goto(f"{url}/console/playbooks/welcome-series/report")
    page.wait_for_selector("#chart-ab canvas")
    option = page.evaluate("() => window.siyuCharts['chart-ab'].getOption()")
    labels = option["xAxis"][0]["data"]
    rates = dict(zip(labels, option["series"][0]["data"], strict=True))
    assert rates == {"day1-intro · benefit": 50.0, "day1-intro · story": 30.0}
    bars = {labels[i]: (low, high) for i, low, high in option["series"][1]["data"]}
    low, high = wilson(20, 40)
    assert bars["day1-intro · benefit"] == (round(low * 1000) / 10, round(high * 1000) / 10)
    assert "显著有效" in page.inner_text("#lift")


def test_whatif_shows_the_count_and_channels(live, page) -> None:  # type: ignore[no-untyped-def]
    from tests.console.test_whatif import seed as seed_whatif

    console, url = live
    console.add_user("op", "operator")
    seed_whatif(console)
    login(page, url, "op")
    page.goto(f"{url}/console/playbooks")
    page.click("#playbook-list tr:has-text('birthday') >> text=模拟")
    page.wait_for_selector("#chart-histogram canvas")
    assert page.inner_text("#whatif-entering .value") == "4"
    chips = page.inner_text("#whatif-steps .channels")
    for expected in ("微信客服 1", "公众号客服消息 1", "企业微信群发 1", "无法触达 1"):
        assert expected in chips
    assert "已退订" in page.inner_text(".kpis")


def test_csv_import_with_two_bad_rows(live, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.console.test_imports import CUSTOMERS

    console, url = live
    console.add_user("op", "operator")
    path = tmp_path / "客户.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    login(page, url, "op")
    page.click("nav >> text=导入")
    page.set_input_files("input[name=file]", str(path))
    page.click("#import-form button")
    assert "试运行结果" in page.inner_text("#import-report") and page.inner_text("#created") == "3"
    page.set_input_files("input[name=file]", str(path))
    page.uncheck("input[name=dry_run]")
    page.click("#import-form button")
    assert "导入结果" in page.inner_text("#import-report")
    assert (page.inner_text("#created"), page.inner_text("#bad")) == ("3", "2")
    errors = page.inner_text("#import-errors")
    assert "birthday" in errors and "生日格式应为 YYYY-MM-DD" in errors and "external_userid" in errors
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
    page.click("nav >> text=客户")
    assert all(name in page.inner_text("#customer-list") for name in ("小美", "陈女士", "李女士"))


def test_whatif_shows_each_customers_best_hour(live, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.console.test_whatif import seed_best_hours

    console, url = live
    seed_best_hours(console)  # also adds the operator "op"
    login(page, url, "op")
    page.goto(f"{url}/console/playbooks/birthday/whatif")
    page.wait_for_selector("#chart-histogram canvas")
    step = page.inner_text("#whatif-steps")
    assert "按每位客户的最佳时间" in step and "12:00 1 人，20:00 1 人" in step
    cells = dict(zip(page.locator("#whatif-sample tbody td:first-child").all_inner_texts(),
                     page.locator("#whatif-sample td.best-at").all_inner_texts(), strict=True))
    assert cells == {"晚上聊": "20:00", "午休聊": "12:00", "新来的": "历史不足，用备用时间"}
    page.screenshot(path=str(tmp_path / "whatif-best.png"), full_page=True)  # docs/console/whatif-best.png
