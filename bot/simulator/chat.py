"""A guide's WeCom chat window with the app's chat sidebar (聊天工具栏) inside, and a stand-in JS-SDK.

`/sim/chat?userid=...&external_userid=...` shows the 1:1 chat between a member and a customer
with the bot's sidebar page in a frame, as WeCom would open it. The stand-in SDK
(`/sim/jssdk/jweixin.js`, what the bot's `[wecom] jssdk_url` points at) asks the chat window for
everything: the window checks `wx.config` and `wx.agentConfig` signatures against the tickets
this simulator issued, answers `getContext` / `getCurExternalContact`, and puts what
`sendChatMessage` sends into the chat transcript.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from .api_common import control_body, control_error, current_state
from .state import SimulatorState

bp = Blueprint("sim_chat", __name__, url_prefix="/sim")

CHAT_API = "chat/sendChatMessage"


def sign(ticket: str, noncestr: str, timestamp: str, url: str) -> str:
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode()).hexdigest()


def verify(state: SimulatorState, kind: str, body: dict[str, Any]) -> str:
    """"" when the signature matches a ticket of `kind` this simulator issued, else why not."""
    config = state.config
    if kind == "corp" and body.get("appId") != config.corp_id:
        return f"appId 应为企业ID {config.corp_id}"
    if kind == "agent_config":
        if body.get("corpid") != config.corp_id:
            return f"corpid 应为企业ID {config.corp_id}"
        if str(body.get("agentid")) != str(config.agent_id):
            return f"agentid 应为应用ID {config.agent_id}"
    url = str(body.get("url") or "").split("#")[0]
    fields = [str(body.get(name) or "") for name in ("nonceStr", "timestamp", "signature")]
    if not all(fields) or not url:
        return "缺少 nonceStr、timestamp、signature 或 url"
    noncestr, timestamp, signature = fields
    now = state.now()
    with state.lock:
        tickets = [t for t in state.staff_side.jsapi_tickets if state.staff_side.ticket_valid(t, kind, now)]
    if any(sign(t, noncestr, timestamp, url) == signature for t in tickets):
        return ""
    other = "agent_config" if kind == "corp" else "corp"
    with state.lock:
        wrong_kind = [t for t in state.staff_side.jsapi_tickets if state.staff_side.ticket_valid(t, other, now)]
    if any(sign(t, noncestr, timestamp, url) == signature for t in wrong_kind):
        return "签名用错了 ticket：wx.config 用企业 jsapi_ticket，wx.agentConfig 用应用 ticket（type=agent_config）"
    return f"invalid signature：按 {url} 和已签发的 ticket 算出的签名不一致"


@bp.post("/jssdk/verify/<kind>")
def verify_signature(kind: str) -> Response | tuple[Response, int]:
    if kind not in ("corp", "agent_config"):
        return control_error("kind is corp or agent_config", 404)
    problem = verify(current_state(), kind, control_body())
    return jsonify({"ok": not problem, "reason": problem})


@bp.get("/jssdk/jweixin.js")
def jweixin() -> Response:
    return Response(render_template("jweixin.js"), mimetype="application/javascript")


@bp.get("/chat")
def chat_window() -> str | tuple[Response, int]:
    state = current_state()
    userid, external_userid = request.args.get("userid", ""), request.args.get("external_userid", "")
    with state.lock:
        if userid not in state.guides:
            return control_error(f"unknown staff member {userid!r}: pick one of {sorted(state.guides)}", 404)
        customer = state.customers.get(external_userid)
        if customer is None:
            return control_error(f"unknown customer {external_userid!r}", 404)
        guide_name, customer_name = state.guides[userid], customer.name
    return render_template("chat.html", userid=userid, guide_name=guide_name, external_userid=external_userid,
                           customer_name=customer_name, sidebar_url=state.config.sidebar_url,
                           phone=request.args.get("phone") == "1")


def _transcript(state: SimulatorState, userid: str, external_userid: str) -> list[dict[str, Any]]:
    return [entry for entry in state.staff_side.sidebar_sends
            if entry["userid"] == userid and entry["external_userid"] == external_userid]


@bp.get("/chat/transcript")
def transcript() -> Response:
    state = current_state()
    with state.lock:
        return jsonify(_transcript(state, request.args.get("userid", ""), request.args.get("external_userid", "")))


@bp.post("/chat/send")
def chat_send() -> Response | tuple[Response, int]:
    """A message in the 1:1 chat: from the sidebar (sendChatMessage) or typed by either side."""
    state, body = current_state(), control_body()
    userid, external_userid = str(body.get("userid") or ""), str(body.get("external_userid") or "")
    text, sender = str(body.get("text") or ""), str(body.get("from") or "guide")
    if not text:
        return control_error("text is required")
    with state.lock:
        customer = state.customers.get(external_userid)
        if userid not in state.guides or customer is None:
            return control_error("unknown guide or customer", 404)
        if userid not in customer.follows:
            return control_error(f"{external_userid} is not a contact of {userid}", 409)
        entry = {"id": state.next_seq(), "userid": userid, "external_userid": external_userid, "from": sender,
                 "text": text, "via": str(body.get("via") or "typed"), "at": int(state.now())}
        state.staff_side.sidebar_sends.append(entry)
        if sender == "guide":
            state.record_sent(CHAT_API, {"touser": external_userid, "text": {"content": text}}, 0, delivered=True,
                              to=external_userid, sender=userid, via=entry["via"])
    return jsonify(entry)
