"""WeCom web authorisation (OAuth2) and the JS-SDK tickets, as a self-built app sees them.

`/connect/oauth2/authorize` stands in for open.weixin.qq.com: inside a member's WeCom client the
member is known; here the page lets the person pick (or, with `userid=`, confirms) the member and
redirects back with a single-use `code` valid 5 minutes. `auth/getuserinfo` turns it into the
member's userid. `get_jsapi_ticket` and `ticket/get?type=agent_config` issue the corp and app
tickets a page signs `wx.config` and `wx.agentConfig` with.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, redirect, render_template, request

from .api_common import current_state, guard_call, wx_reply
from .staff_state import OAUTH_CODE_SECONDS, OAuthCode
from .state import new_id

bp = Blueprint("sim_oauth", __name__)
api = Blueprint("sim_oauth_api", __name__, url_prefix="/cgi-bin")

INVALID_CODE = 40029
INVALID_CORPID = 40013
INVALID_TICKET_TYPE = 40058


@api.before_request
def _guard() -> Response | None:
    return guard_call(request.path.removeprefix("/cgi-bin/"), current_state().wecom_tokens, frozenset())


def _problem(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("oauth.html", problem=message, members=[], params={}), status


@bp.get("/connect/oauth2/authorize")
def authorize() -> Response | str | tuple[str, int]:
    """Pick the member (or confirm `userid`) and go back to `redirect_uri` with a code."""
    state = current_state()
    params = {name: request.args.get(name, "") for name in
              ("appid", "redirect_uri", "response_type", "scope", "state", "agentid")}
    if params["appid"] != state.config.corp_id:
        return _problem(f"appid 参数错误：应为企业ID {state.config.corp_id}，收到「{params['appid']}」")
    if not params["redirect_uri"].startswith(("http://", "https://")):
        return _problem("redirect_uri 参数错误：需要完整的回调地址（http:// 或 https:// 开头）")
    if params["response_type"] != "code":
        return _problem("response_type 参数错误：应为 code")
    userid = request.args.get("userid", "")
    with state.lock:
        members = list(state.guides.items())
        if userid and userid not in state.guides:
            return _problem(f"成员 {userid} 不在企业通讯录中", 404)
        if not userid:
            return render_template("oauth.html", problem="", members=members, params=params)
        code = OAuthCode(new_id("SIMCODE"), userid, _int(params["agentid"]), state.now())
        state.staff_side.oauth_codes[code.code] = code
    return redirect(_with_query(params["redirect_uri"], code=code.code, state=params["state"]))


@api.get("/auth/getuserinfo")
def getuserinfo() -> Response:
    return _userinfo(legacy=False)


@api.get("/user/getuserinfo")
def getuserinfo_legacy() -> Response:
    return _userinfo(legacy=True)


def _userinfo(legacy: bool) -> Response:
    state = current_state()
    with state.lock:
        code = state.staff_side.oauth_codes.get(request.args.get("code", ""))
        if code is None or code.used or state.now() - code.issued_at > OAUTH_CODE_SECONDS:
            return wx_reply(INVALID_CODE, "invalid code")
        code.used = True
    if legacy:
        return wx_reply(UserId=code.userid, DeviceId="")
    return wx_reply(userid=code.userid)


@api.get("/get_jsapi_ticket")
def get_jsapi_ticket() -> Response:
    """The corp ticket that signs `wx.config`."""
    state = current_state()
    with state.lock:
        ticket, expires_in = state.staff_side.ticket("corp", state.now())
    return wx_reply(ticket=ticket, expires_in=expires_in)


@api.get("/ticket/get")
def ticket_get() -> Response:
    """The app ticket (`type=agent_config`) that signs `wx.agentConfig`."""
    if request.args.get("type") != "agent_config":
        return wx_reply(INVALID_TICKET_TYPE, "invalid ticket type: expected agent_config")
    state = current_state()
    with state.lock:
        ticket, expires_in = state.staff_side.ticket("agent_config", state.now())
    return wx_reply(ticket=ticket, expires_in=expires_in)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None
