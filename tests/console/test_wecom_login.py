"""Guides log into the console with WeCom: the OAuth2 round trip through the simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from bot.console.accounts import AccountService
from tests.support.harness import Harness


@pytest.fixture
def h(sqlite_url: str) -> Iterator[Harness]:
    harness = Harness(sqlite_url, console={"secret_key": "wecom-login-test", "secure_cookies": False})
    harness.seed_staff()
    with harness.db.session() as session:
        AccountService(session, harness.runtime.clock, harness.config.console).add("li", "guide", "",
                                                                                   "guide_li")
    yield harness
    harness.close()


def wecom_login(h: Harness, userid: str) -> tuple[requests.Session, requests.Response]:
    http = requests.Session()
    first = http.get(f"{h.bot_url}/console/login/wecom", allow_redirects=False, timeout=10)
    authorize = first.headers["Location"].removesuffix("#wechat_redirect")
    back = http.get(f"{authorize}&userid={userid}", allow_redirects=False, timeout=10)
    return http, http.get(back.headers["Location"], allow_redirects=False, timeout=10)


def test_a_guide_logs_in_with_wecom(h: Harness) -> None:
    assert "企业微信登录" in requests.get(f"{h.bot_url}/console/login", timeout=10).text
    http, landed = wecom_login(h, "guide_li")
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/console/dashboard")
    assert "li · 导购" in http.get(f"{h.bot_url}/console/dashboard", timeout=10).text


def test_a_member_without_an_account_is_refused(h: Harness) -> None:
    http, landed = wecom_login(h, "guide_wang")
    assert landed.status_code == 403 and "还没有后台账号" in landed.text
    assert http.get(f"{h.bot_url}/console/customers", allow_redirects=False, timeout=10).status_code == 302


def test_a_callback_without_the_state_of_this_browser_is_refused(h: Harness) -> None:
    code = h.sim.oauth_code("guide_li")
    response = requests.get(f"{h.bot_url}/console/login/wecom/callback", params={"code": code, "state": "x"},
                            timeout=10)
    assert response.status_code == 400 and "登录已过期" in response.text
