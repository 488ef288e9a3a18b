"""Official Account server API under /mp/cgi-bin/."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from .api_common import current_state, guard_call, issue_token, json_body, refuse, wx_reply

bp = Blueprint("sim_mp", __name__, url_prefix="/mp/cgi-bin")

INVALID_OPENID = 40003
INVALID_GRANT_TYPE = 40002
INVALID_TEMPLATE_ID = 40037
REQUIRE_SUBSCRIBE = 43004
OUT_OF_WINDOW = 45015
OUT_OF_COUNT = 45047
# Template messages since 2023-05-04 (OA announcement "模板消息能力调整"): the first and remark lines
# are no longer shown, each field is cut to 20 characters and newlines are removed.
TEMPLATE_DROPPED_FIELDS = ("first", "remark")
TEMPLATE_FIELD_CHARS = 20


@bp.before_request
def _guard() -> Response | None:
    # Faults and the sent log name these "mp/<path>" so they never clash with WeCom's.
    api = "mp/" + request.path.removeprefix("/mp/cgi-bin/")
    return guard_call(api, current_state().mp_tokens, frozenset({"mp/token"}))


@bp.get("/token")
def token() -> Response:
    state = current_state()
    config = state.config
    if request.args.get("grant_type") != "client_credential":
        return wx_reply(INVALID_GRANT_TYPE, "invalid grant_type")
    return issue_token(state.mp_tokens, "appid", config.mp_app_id, "secret", config.mp_secret)


@bp.get("/get_api_domain_ip")
def api_domain_ip() -> Response:
    """The addresses of WeChat's API servers: a harmless call to see the account is reachable."""
    return wx_reply(ip_list=["127.0.0.1"])


@bp.get("/user/info")
def user_info() -> Response:
    state = current_state()
    with state.lock:
        user = state.mp_users.get(request.args.get("openid", ""))
        if user is None:
            return wx_reply(INVALID_OPENID, "invalid openid")
        # No nickname or headimgurl since 2021-12-27 (OA announcement "用户信息获取接口调整").
        info = {"subscribe": int(user.subscribed), "openid": user.openid, "language": "zh_CN"}
        if user.subscribed:
            info["subscribe_time"] = int(user.subscribed_at)
        if user.unionid:
            info["unionid"] = user.unionid
    return wx_reply(**info)


@bp.post("/message/custom/send")
def custom_send() -> Response:
    api = "mp/message/custom/send"
    state, payload = current_state(), json_body()
    openid = str(payload.get("touser") or "")
    with state.lock:
        user = state.mp_users.get(openid)
        if user is None:
            return refuse(api, payload, INVALID_OPENID, "invalid openid")
        window = state.mp_windows.get(openid)
        if not user.subscribed or window is None or not window.open(state.now()):
            return refuse(api, payload, OUT_OF_WINDOW, "response out of time limit or subscription is canceled")
        if not window.allows(state.now()):
            return refuse(api, payload, OUT_OF_COUNT, "response out of count limit")
        window.used += 1
        state.record_sent(api, payload, 0, delivered=True)
    return wx_reply()


@bp.post("/message/template/send")
def template_send() -> Response:
    api = "mp/message/template/send"
    state, payload = current_state(), json_body()
    openid = str(payload.get("touser") or "")
    with state.lock:
        if not payload.get("template_id"):
            return refuse(api, payload, INVALID_TEMPLATE_ID, "invalid template_id")
        user = state.mp_users.get(openid)
        if user is None:
            return refuse(api, payload, INVALID_OPENID, "invalid openid")
        if not user.subscribed:
            return refuse(api, payload, REQUIRE_SUBSCRIBE, "require subscribe")
        msgid = state.next_message_id()
        shown, dropped = shown_template_data(payload.get("data") or {})
        state.record_sent(api, {**payload, "data": shown}, 0, delivered=True, msgid=msgid, dropped_fields=dropped)
    return wx_reply(msgid=msgid)


def shown_template_data(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What the follower sees of a template message since 2023-05-04: no `first` or `remark` line,
    every field cut to 20 characters, newlines removed. Returns (shown data, dropped keys)."""
    shown: dict[str, Any] = {}
    dropped: list[str] = []
    for key, field in data.items():
        if key in TEMPLATE_DROPPED_FIELDS:
            dropped.append(key)
            continue
        value = field.get("value", "") if isinstance(field, dict) else field
        text = str(value).replace("\r", "").replace("\n", "")[:TEMPLATE_FIELD_CHARS]
        shown[key] = {**field, "value": text} if isinstance(field, dict) else text
    return shown, dropped
