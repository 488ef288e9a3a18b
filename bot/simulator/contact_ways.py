"""Channel codes (联系我 / 渠道活码): `externalcontact/add_contact_way` and its get/update/del/list.

A customer who adds a member through a code (`/sim/customers/add` with `config_id`) arrives on
the add event with the code's `State`; a multi-member code (type 2) takes its members in turn.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Blueprint, Response, jsonify, request

from .api_common import control_error, current_state, guard_call, json_body, wx_reply
from .staff_state import STATE_MAX_CHARS, ContactWay
from .state import SimulatorState, new_id

bp = Blueprint("sim_contact_ways", __name__, url_prefix="/cgi-bin/externalcontact")

INVALID_USERID = 40003
INVALID_PARAMETER = 40058
INVALID_CONFIG_ID = 41044  # the documentation's errcode for an unknown config_id
LIST_LIMIT = 100


@bp.before_request
def _guard() -> Response | None:
    return guard_call(request.path.removeprefix("/cgi-bin/"), current_state().wecom_tokens, frozenset())


def _check(state: SimulatorState, payload: dict[str, Any], way_type: int) -> tuple[int, str] | None:
    """The errcode and message for a bad configuration, or None."""
    users = payload.get("user") or []
    if not isinstance(users, list) or not users:
        return INVALID_PARAMETER, "user is required (a list of member userids)"
    if any(str(u) not in state.guides for u in users):
        return INVALID_USERID, "invalid userid in user"
    if way_type == 1 and len(users) != 1:
        return INVALID_PARAMETER, "a single-member code (type 1) takes exactly one user"
    if len(str(payload.get("state") or "")) > STATE_MAX_CHARS:
        return INVALID_PARAMETER, f"state is longer than {STATE_MAX_CHARS} characters"
    return None


@bp.post("/add_contact_way")
def add_contact_way() -> Response:
    state, payload = current_state(), json_body()
    way_type, scene = _int(payload.get("type")), _int(payload.get("scene"))
    if way_type not in (1, 2):
        return wx_reply(INVALID_PARAMETER, "type must be 1 (single) or 2 (multi)")
    if scene not in (1, 2):
        return wx_reply(INVALID_PARAMETER, "scene must be 1 (mini program) or 2 (QR code)")
    with state.lock:
        problem = _check(state, payload, way_type)
        if problem is not None:
            return wx_reply(*problem)
        config_id = new_id("simcw", 12)
        qr_code = f"{request.host_url}sim/contact_ways/{config_id}/qr.svg" if scene == 2 else ""
        way = ContactWay(config_id, way_type, scene, [str(u) for u in payload["user"]],
                         state=str(payload.get("state") or ""), remark=str(payload.get("remark") or ""),
                         style=_int(payload.get("style")) or 1,
                         skip_verify=payload.get("skip_verify", True) is not False,
                         qr_code=qr_code, created_at=state.now())
        state.staff_side.contact_ways[config_id] = way
    return wx_reply(config_id=config_id, qr_code=qr_code)


@bp.post("/get_contact_way")
def get_contact_way() -> Response:
    state, payload = current_state(), json_body()
    with state.lock:
        way = state.staff_side.contact_ways.get(str(payload.get("config_id") or ""))
        if way is None:
            return wx_reply(INVALID_CONFIG_ID, "invalid config_id")
        return wx_reply(contact_way=way.as_api())


@bp.post("/update_contact_way")
def update_contact_way() -> Response:
    state, payload = current_state(), json_body()
    with state.lock:
        way = state.staff_side.contact_ways.get(str(payload.get("config_id") or ""))
        if way is None:
            return wx_reply(INVALID_CONFIG_ID, "invalid config_id")
        problem = _check(state, {"user": way.users, "state": way.state, **payload}, way.type)
        if problem is not None:
            return wx_reply(*problem)
        if "user" in payload:
            way.users = [str(u) for u in payload["user"]]
        for name in ("state", "remark"):
            if name in payload:
                setattr(way, name, str(payload[name] or ""))
        if "style" in payload:
            way.style = _int(payload["style"]) or way.style
        if "skip_verify" in payload:
            way.skip_verify = payload["skip_verify"] is not False
    return wx_reply()


@bp.post("/del_contact_way")
def del_contact_way() -> Response:
    state, payload = current_state(), json_body()
    with state.lock:
        if state.staff_side.contact_ways.pop(str(payload.get("config_id") or ""), None) is None:
            return wx_reply(INVALID_CONFIG_ID, "invalid config_id")
    return wx_reply()


@bp.post("/list_contact_way")
def list_contact_way() -> Response:
    """The codes created in [start_time, end_time] (default: all), a page at a time."""
    state, payload = current_state(), json_body()
    start, end = _int(payload.get("start_time")) or 0, _int(payload.get("end_time")) or 2**63
    limit = max(1, min(_int(payload.get("limit")) or LIST_LIMIT, LIST_LIMIT))
    offset = _int(payload.get("cursor")) or 0
    with state.lock:
        ways = [w for w in state.staff_side.contact_ways.values() if start <= w.created_at <= end]
    page = ways[offset:offset + limit]
    more = offset + limit < len(ways)
    return wx_reply(contact_way=[{"config_id": w.config_id} for w in page],
                    next_cursor=str(offset + limit) if more else "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


control = Blueprint("sim_contact_ways_control", __name__, url_prefix="/sim")


@control.get("/contact_ways/<config_id>/qr.svg")
def contact_way_qr(config_id: str) -> Response | tuple[Response, int]:
    """The code's QR image (what `qr_code` points at, as WeCom's does): it encodes the code's page."""
    state = current_state()
    with state.lock:
        if config_id not in state.staff_side.contact_ways:
            return control_error(f"unknown channel code {config_id}", 404)
    image = io.BytesIO()
    segno.make(f"{request.host_url}sim/contact_ways/{config_id}", error="m").save(
        image, kind="svg", scale=4, border=2, dark="#12344d", xmldecl=False)
    return Response(image.getvalue(), mimetype="image/svg+xml")


@control.get("/contact_ways/<config_id>")
def show_contact_way(config_id: str) -> Response | tuple[Response, int]:
    """What the QR code stands for, with how many added through it."""
    state = current_state()
    with state.lock:
        way = state.staff_side.contact_ways.get(config_id)
        if way is None:
            return control_error(f"unknown channel code {config_id}", 404)
        return jsonify({**way.as_api(), "adds": way.adds})
