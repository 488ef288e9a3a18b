"""What every simulated WeChat API call goes through before its own logic."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Response, current_app, jsonify, request

from .limits import ERRMSG, FREQ_LIMIT, INVALID_CREDENTIAL, OK, TokenBook
from .misconfig import misconfigured_answer
from .state import SimulatorState

logger = logging.getLogger(__name__)

# Calls that carry a message to a person: each one lands in the sent log, refused or not.
SENDING_APIS = frozenset({
    "message/send",
    "externalcontact/send_welcome_msg",
    "externalcontact/add_msg_template",
    "kf/send_msg",
    "mp/message/custom/send",
    "mp/message/template/send",
})


def current_state() -> SimulatorState:
    return current_app.extensions["simulator"]


def json_body() -> dict[str, Any]:
    # wechatpy posts JSON without a Content-Type header, like many WeChat SDKs.
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def control_body() -> dict[str, Any]:
    """The JSON body of a /sim control call ({} when absent)."""
    return json_body()


def control_error(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def issue_token(tokens: TokenBook, id_field: str, expected_id: str, secret_field: str,
                expected_secret: str) -> Response:
    """gettoken / token: check the credentials in the query string, then hand out a token."""
    if request.args.get(id_field) != expected_id:
        return wx_reply(INVALID_CREDENTIAL, f"invalid {id_field}")
    if request.args.get(secret_field) != expected_secret:
        return wx_reply(INVALID_CREDENTIAL, f"invalid credential, invalid {secret_field}")
    state = current_state()
    with state.lock:
        token, expires_in = tokens.issue(state.now())
    return wx_reply(access_token=token, expires_in=expires_in)


def wx_reply(errcode: int = OK, errmsg: str | None = None, **data: Any) -> Response:
    """A WeChat-style JSON answer; WeChat reports errors with HTTP 200."""
    return jsonify({"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "error"), **data})


def refuse(api: str, payload: dict[str, Any], errcode: int, errmsg: str, duplicate: bool = False,
           **data: Any) -> Response:
    """Answer an error and, for a sending API, log the refused message."""
    if api in SENDING_APIS:
        extra = {"duplicate": True} if duplicate else {}
        current_state().record_sent(api, payload, errcode, delivered=False, errmsg=errmsg, **extra)
    return wx_reply(errcode, errmsg, **data)


def guard_call(api: str, tokens: TokenBook, open_apis: frozenset[str]) -> Response | None:
    """Token check, injected faults and the per-API frequency limit; None lets the call run."""
    state = current_state()
    now = state.now()
    payload = json_body() if request.method == "POST" else {}
    with state.lock:
        misconfigured = misconfigured_answer(api, state.misconfig)
        if misconfigured is not None:
            errcode, errmsg, data = misconfigured
            return refuse(api, payload, errcode, errmsg, **data) if errcode else wx_reply(errcode, errmsg, **data)
        if api not in open_apis:
            errcode = tokens.check(request.args.get("access_token"), now)
            if errcode != OK:
                logger.info("refused %s: token errcode %s", api, errcode)
                return wx_reply(errcode)
        fault = state.faults.take(api)
        if fault is None and not state.api_calls.take(api, now):
            return refuse(api, payload, FREQ_LIMIT, "api freq out of limit")
    if fault is None:
        return None
    logger.info("injected fault on %s: %s", api, fault)
    if fault.delay_seconds:
        time.sleep(fault.delay_seconds)  # outside the lock: other calls go on meanwhile
    if not fault.fails:
        return None
    if fault.http_status is not None:
        if api in SENDING_APIS:
            state.record_sent(api, payload, None, delivered=False, http_status=fault.http_status)
        return Response("simulated failure", status=fault.http_status, mimetype="text/plain")
    assert fault.errcode is not None
    return refuse(api, payload, fault.errcode, fault.errmsg or ERRMSG.get(fault.errcode, "simulated fault"))
