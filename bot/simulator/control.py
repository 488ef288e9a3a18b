"""Control endpoints for tests and the page: the sent log, the clock, faults, mass tasks, raw pushes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from .api_common import control_body, control_error, current_state
from .limits import Fault
from .misconfig import MISCONFIGURATIONS
from .push import Pusher
from .state import Customer, Follow, MassTask, new_id
from .wecom_api import deliver_mass

logger = logging.getLogger(__name__)

bp = Blueprint("sim_control", __name__, url_prefix="/sim")


@bp.get("/sent")
def sent() -> Response:
    return jsonify(current_state().sent(api=request.args.get("api"), to=request.args.get("to")))


@bp.get("/inbound")
def inbound() -> Response:
    state = current_state()
    with state.lock:
        return jsonify(list(state.inbound_log))


@bp.get("/overview")
def overview() -> Response:
    """What the page needs to fill its pickers; no secrets."""
    state = current_state()
    with state.lock:
        return jsonify({
            "corp_id": state.config.corp_id,
            "agent_id": state.config.agent_id,
            "open_kfid": state.config.open_kfid,
            "mp_app_id": state.config.mp_app_id,
            "bot_work_url": state.config.bot_work_url,
            "bot_mp_url": state.config.bot_mp_url,
            "now": int(state.now()),
            "clock_offset": state.clock.offset,
            "guides": [{"userid": u, "name": n} for u, n in state.guides.items()],
            "customers": [
                {"external_userid": c.external_userid, "name": c.name, "guides": list(c.follows)}
                for c in state.customers.values() if c.listed
            ],
            "mp_users": [{"openid": u.openid, "subscribed": u.subscribed} for u in state.mp_users.values()],
            "mass_tasks": [_task_json(t) for t in state.mass_tasks.values()],
            "faults": state.faults.pending(),
        })


@bp.get("/pending")
def pending() -> Response:
    """Callbacks WeChat has announced for later (a kf msg_send_fail) and not pushed yet."""
    state = current_state()
    with state.lock:
        return jsonify({"pushes": state.pending_pushes})


@bp.post("/customers/existing")
def existing_customers() -> Response | tuple[Response, int]:
    """Contacts the corp had before the bot was connected (the demo's sample history): added quietly,
    with no callback, and left out of the page's pickers. Body: {"customers": [{external_userid,
    name, userid}, ...]}."""
    state, rows = current_state(), control_body().get("customers")
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return control_error("customers must be a list of {external_userid, name, userid}")
    if bad := [row for row in rows if not row.get("external_userid") or not row.get("userid")]:
        return control_error(f"external_userid and userid are required: {bad[0]}")
    with state.lock:
        for row in rows:
            external_userid, userid = str(row["external_userid"]), str(row["userid"])
            customer = state.customers.setdefault(
                external_userid, Customer(external_userid, str(row.get("name") or "微信用户"), listed=False))
            customer.follows.setdefault(userid, Follow(userid, int(state.now())))
            state.guides.setdefault(userid, userid)
    return jsonify({"customers": len(rows)})


@bp.post("/reset")
def reset() -> Response:
    current_state().reset()
    logger.info("simulator state reset")
    return jsonify({"ok": True})


@bp.get("/clock")
def clock() -> Response:
    state = current_state()
    return jsonify({"now": state.now(), "offset": state.clock.offset})


@bp.post("/clock/advance")
def advance_clock() -> Response | tuple[Response, int]:
    state = current_state()
    try:
        offset = state.clock.advance(float(control_body().get("seconds", 0)))
    except (TypeError, ValueError) as exc:
        return control_error(f"seconds must be a number of seconds >= 0 ({exc})")
    return jsonify({"now": state.now(), "offset": offset})


@bp.route("/faults", methods=["GET", "POST"])
def faults() -> Response | tuple[Response, int]:
    state = current_state()
    if request.method == "POST":
        body = control_body()
        if not body.get("api"):
            return control_error("api is required, e.g. kf/send_msg or mp/message/custom/send")
        try:
            delay = float(body.get("delay_seconds") or 0)
        except (TypeError, ValueError):
            return control_error("delay_seconds must be a number of seconds")
        try:
            fault = Fault(
                api=str(body["api"]),
                times=int(body.get("times", 1)),
                errcode=None if body.get("errcode") is None else int(body["errcode"]),
                errmsg=body.get("errmsg"),
                http_status=None if body.get("http_status") is None else int(body["http_status"]),
                delay_seconds=delay,
            )
            with state.lock:
                state.faults.add(fault)
        except (TypeError, ValueError) as exc:
            return control_error(str(exc))
    with state.lock:
        return jsonify({"pending": state.faults.pending()})


@bp.route("/misconfig", methods=["GET", "POST"])
def misconfig() -> Response | tuple[Response, int]:
    """Play a wrong console setting until the next reset: {"name": "untrusted_ip"} (GET lists them)."""
    state = current_state()
    if request.method == "POST":
        name = str(control_body().get("name") or "")
        if name not in MISCONFIGURATIONS:
            return control_error(f"name must be one of {', '.join(MISCONFIGURATIONS)}")
        with state.lock:
            state.misconfig.add(name)
        logger.info("simulator misconfigured: %s", MISCONFIGURATIONS[name])
    with state.lock:
        return jsonify({"active": sorted(state.misconfig), "known": MISCONFIGURATIONS})


def _task_json(task: Any) -> dict[str, Any]:
    return {"msgid": task.msgid, "sender": task.sender, "external_userid": task.external_userids,
            "confirmed": task.confirmed, "cancelled": task.cancelled, "results": task.results,
            "payload": task.payload}


@bp.get("/mass")
def mass_tasks() -> Response:
    state = current_state()
    with state.lock:
        return jsonify([_task_json(t) for t in state.mass_tasks.values()])


@bp.post("/mass/<msgid>/confirm")
def confirm_mass(msgid: str) -> Response | tuple[Response, int]:
    """The guide taps "send" in WeCom: only now does the mass message reach customers (those with
    quota left; the others get send-result status 3)."""
    state = current_state()
    with state.lock:
        task = state.mass_tasks.get(msgid)
        if task is None:
            return control_error(f"unknown mass task {msgid}", 404)
        if task.confirmed:
            return control_error(f"mass task {msgid} was already confirmed", 409)
        if task.cancelled:
            return control_error(f"mass task {msgid} was cancelled", 409)
        delivered = deliver_mass(state, task)
    return jsonify({"msgid": msgid, "delivered": delivered})


@bp.post("/staff/<userid>/mass_send")
def member_mass_send(userid: str) -> Response | tuple[Response, int]:
    """A member sends a mass message from the WeCom client: it counts against each customer's quota."""
    state, body = current_state(), control_body()
    with state.lock:
        if userid not in state.guides:
            return control_error(f"unknown staff member {userid}", 404)
        customers = [str(u) for u in body.get("external_userids") or []]
        payload = {"chat_type": "single", "sender": userid, "external_userid": customers,
                   "text": {"content": str(body.get("text") or "")}}
        task = MassTask(new_id("msgSIMOWN"), userid, customers, payload, state.now())
        state.mass_tasks[task.msgid] = task
        delivered = deliver_mass(state, task)
    return jsonify({"msgid": task.msgid, "delivered": delivered})


@bp.post("/settings")
def settings() -> Response | tuple[Response, int]:
    """What the corp's admin sets in the WeCom console: `mass_quota` (month, week, day) and, for
    tests of the two plausible answers, `kf_window_errors` (sync, async)."""
    state, body = current_state(), control_body()
    allowed = {"mass_quota": ("month", "week", "day"), "kf_window_errors": ("sync", "async")}
    with state.lock:
        for key, value in body.items():
            if key not in allowed or value not in allowed[key]:
                return control_error(f"{key}: expected one of {allowed.get(key, ())}")
            setattr(state.config, key, value)
        return jsonify({key: getattr(state.config, key) for key in allowed})


@bp.post("/push/work")
def push_work() -> Response | tuple[Response, int]:
    return _raw_push("work")


@bp.post("/push/mp")
def push_mp() -> Response | tuple[Response, int]:
    return _raw_push("mp")


def _raw_push(channel: str) -> Response | tuple[Response, int]:
    body = control_body()
    xml = str(body.get("xml") or "")
    if not xml.strip().startswith("<xml"):
        return control_error("xml is required: the plaintext callback, <xml>...</xml>")
    repeat = int(body.get("repeat") or 1)
    pusher = Pusher(current_state())
    result = pusher.push_work(xml, repeat) if channel == "work" else pusher.push_mp(xml, repeat)
    pushed = result.as_json()
    return jsonify({"status": pushed["status"], "reply": pushed["reply"], "push": pushed})


@bp.post("/guides")
def add_guide() -> Response | tuple[Response, int]:
    body = control_body()
    userid = str(body.get("userid") or "")
    if not userid:
        return control_error("userid is required")
    state = current_state()
    with state.lock:
        state.guides[userid] = str(body.get("name") or userid)
        return jsonify([{"userid": u, "name": n} for u, n in state.guides.items()])
