"""The WeCom OAuth2 stand-in: authorize page, single-use 5-minute codes, getuserinfo, JS-SDK tickets."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from wechatpy.exceptions import WeChatClientException

from bot.simulator import RunningServer, SimulatorClient, SimulatorConfig
from bot.wechat.clients import WeComClient


def _authorize(sim_server: RunningServer, config: SimulatorConfig, **params: str) -> requests.Response:
    query = {"appid": config.corp_id, "redirect_uri": "http://bot.example/sidebar/?x=1", "response_type": "code",
             "scope": "snsapi_base", "state": "s1", "agentid": str(config.agent_id), **params}
    return requests.get(f"{sim_server.url}/connect/oauth2/authorize", params=query, allow_redirects=False)


def test_the_authorize_page_lets_the_person_pick_a_member(sim_server: RunningServer,
                                                           sim_config: SimulatorConfig) -> None:
    page = _authorize(sim_server, sim_config)

    assert page.status_code == 200
    assert "李导购（guide_li）" in page.text and "王导购（guide_wang）" in page.text


def test_picking_a_member_redirects_back_with_a_code_and_the_state(sim_server: RunningServer,
                                                                   sim_config: SimulatorConfig,
                                                                   wecom: WeComClient) -> None:
    answer = _authorize(sim_server, sim_config, userid="guide_wang")

    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    query = parse_qs(location.query)
    assert location.netloc == "bot.example" and query["x"] == ["1"] and query["state"] == ["s1"]
    info = wecom.get("auth/getuserinfo", params={"code": query["code"][0]})
    assert info["userid"] == "guide_wang"


def test_a_code_works_once(sim: SimulatorClient, wecom: WeComClient) -> None:
    code = sim.oauth_code("guide_li")
    wecom.get("auth/getuserinfo", params={"code": code})

    try:
        wecom.get("auth/getuserinfo", params={"code": code})
    except WeChatClientException as error:
        assert error.errcode == 40029
    else:
        raise AssertionError("a used code was accepted again")


def test_a_code_expires_after_five_minutes(sim: SimulatorClient, wecom: WeComClient) -> None:
    code = sim.oauth_code("guide_li")
    sim.advance_clock(301)

    try:
        wecom.get("user/getuserinfo", params={"code": code})
    except WeChatClientException as error:
        assert error.errcode == 40029
    else:
        raise AssertionError("an expired code was accepted")


def test_the_legacy_endpoint_answers_userid_in_its_own_spelling(sim: SimulatorClient, wecom: WeComClient) -> None:
    assert wecom.get("user/getuserinfo", params={"code": sim.oauth_code("guide_li")})["UserId"] == "guide_li"


def test_a_wrong_appid_or_unknown_member_is_explained(sim_server: RunningServer, sim_config: SimulatorConfig) -> None:
    wrong_app = _authorize(sim_server, sim_config, appid="wxOTHER")
    stranger = _authorize(sim_server, sim_config, userid="nobody")

    assert wrong_app.status_code == 400 and "appid 参数错误" in wrong_app.text
    assert stranger.status_code == 404 and "nobody" in stranger.text


def test_getuserinfo_needs_an_access_token(sim_server: RunningServer) -> None:
    assert requests.get(f"{sim_server.url}/cgi-bin/auth/getuserinfo", params={"code": "x"}).json()["errcode"] == 40014


def test_jsapi_tickets_are_shared_while_valid_and_differ_by_kind(wecom: WeComClient) -> None:
    corp = wecom.get("get_jsapi_ticket")
    again = wecom.get("get_jsapi_ticket")
    agent = wecom.get("ticket/get", params={"type": "agent_config"})

    assert corp["ticket"] == again["ticket"] and corp["expires_in"] <= 7200
    assert agent["ticket"] != corp["ticket"]
