"""Code -> userid for the sidebar and the console login, against the simulator's OAuth stand-in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.wechat.oauth import OAuthError, authorize_url, userid_from_code
from tests.support.harness import Harness


def test_the_authorize_link_leads_back_with_a_code_that_names_the_member(harness: Harness) -> None:
    link = authorize_url(harness.config.wecom, "http://bot.example/sidebar/", state="abc")
    answer = requests.get(link.removesuffix("#wechat_redirect") + "&userid=guide_li", allow_redirects=False,
                          timeout=10)

    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["abc"]
    assert userid_from_code(harness.runtime.outbound, query["code"][0]) == "guide_li"


def test_a_used_or_missing_code_is_explained(harness: Harness) -> None:
    code = harness.sim.oauth_code("guide_wang")
    userid_from_code(harness.runtime.outbound, code)

    with pytest.raises(OAuthError, match="已过期"):
        userid_from_code(harness.runtime.outbound, code)
    with pytest.raises(OAuthError, match="缺少授权码"):
        userid_from_code(harness.runtime.outbound, "")
