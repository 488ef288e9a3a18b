"""Control endpoints where a test or a person acts as a customer, an MP follower or a guide.

Each action updates the simulated WeChat, then pushes the matching encrypted callback to the bot
and answers with what was pushed, the bot's HTTP status and its decrypted passive reply.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from .api_common import control_body, control_error, current_state
from .push import Pusher, PushResult, build_xml
from .state import (
    KF_ENDED,
    KF_HUMAN,
    KF_NEW,
    MP_EVENT_WINDOW_MESSAGES,
    MP_EVENT_WINDOW_SECONDS,
    Customer,
    Follow,
    KfMessage,
    MpUser,
    ReplyWindow,
    SimulatorState,
    WelcomeCode,
    new_id,
)
from .wecom_api import kf_system_event

bp = Blueprint("sim_actors", __name__, url_prefix="/sim")


def _answer(result: PushResult, **data: Any) -> Response:
    pushed = result.as_json()
    return jsonify({**data, "status": pushed["status"], "reply": pushed["reply"], "push": pushed})


def _contact_event(state: SimulatorState, change_type: str, userid: str, external_userid: str,
                   **more: Any) -> str:
    return build_xml({
        "ToUserName": state.config.corp_id,
        "FromUserName": "sys",
        "CreateTime": int(state.now()),
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": change_type,
        "UserID": userid,
        "ExternalUserID": external_userid,
        **more,
    })


@bp.post("/customers/add")
def add_customer() -> Response | tuple[Response, int]:
    state, body = current_state(), control_body()
    with state.lock:
        userid = str(body.get("userid") or next(iter(state.guides), ""))
        channel_state = str(body.get("state") or "")
        if body.get("config_id"):  # scanned a channel code: its member (in turn) and its state
            way = state.staff_side.contact_ways.get(str(body["config_id"]))
            if way is None:
                return control_error(f"unknown channel code {body['config_id']}", 404)
            userid = str(body.get("userid")) if body.get("userid") in way.users else way.next_user()
            channel_state = way.state
        if not userid:
            return control_error("no guide to add: pass userid")
        state.guides.setdefault(userid, userid)
        external_userid = str(body.get("external_userid") or new_id("wmSIM"))
        customer = state.customers.setdefault(external_userid, Customer(external_userid, "微信用户"))
        customer.name = str(body.get("name") or customer.name)
        customer.unionid = str(body.get("unionid") or customer.unionid)
        now = state.now()
        customer.follows[userid] = Follow(userid, int(now), state=channel_state)
        code = WelcomeCode(new_id("WELCOMESIM", 12), external_userid, userid, now,
                           busy_until=now + float(body.get("other_app_sending_seconds") or 0))
        state.welcome_codes[code.code] = code
        xml = _contact_event(state, "add_external_contact", userid, external_userid,
                             State=channel_state, WelcomeCode=code.code)
        guide_name = state.guides[userid]
    result = Pusher(state).push_work(xml)
    state.record_inbound("work", customer.name, "add_external_contact",
                         f"添加了导购 {guide_name}" + (f"（渠道 {channel_state}）" if channel_state else ""),
                         external_userid=external_userid, status=result.as_json()["status"])
    return _answer(result, external_userid=external_userid, welcome_code=code.code, userid=userid,
                   state=channel_state)


def _contact_change(external_userid: str, change_type: str, label: str) -> Response | tuple[Response, int]:
    state, body = current_state(), control_body()
    with state.lock:
        customer = state.customers.get(external_userid)
        if customer is None:
            return control_error(f"unknown customer {external_userid}", 404)
        userid = str(body.get("userid") or next(iter(customer.follows), ""))
        follow = customer.follows.get(userid)
        if follow is None:
            return control_error(f"{external_userid} is not a contact of guide {userid or '(none)'}", 409)
        if change_type == "edit_external_contact":
            customer.name = str(body.get("name") or customer.name)
            follow.remark = str(body.get("remark") or follow.remark)
            # The guide edits the contact's corp tags in the WeCom sidebar (by tag name).
            for key, apply in (("add_tags", follow.tag_ids.add), ("remove_tags", follow.tag_ids.discard)):
                for name in body.get(key) or []:
                    tag_id = state.tag_id_by_name(str(name))
                    if tag_id is None:
                        return control_error(f"no corp tag named {name!r}", 404)
                    apply(tag_id)
        else:
            del customer.follows[userid]
        xml = _contact_event(state, change_type, userid, external_userid)
    result = Pusher(state).push_work(xml)
    state.record_inbound("work", customer.name, change_type, label.format(guide=state.guides.get(userid, userid)),
                         external_userid=external_userid, status=result.as_json()["status"])
    return _answer(result, external_userid=external_userid, userid=userid)


@bp.post("/customers/<external_userid>/edit")
def edit_customer(external_userid: str) -> Response | tuple[Response, int]:
    return _contact_change(external_userid, "edit_external_contact", "{guide} 编辑了客户资料")


@bp.post("/customers/<external_userid>/delete_guide")
def delete_guide(external_userid: str) -> Response | tuple[Response, int]:
    return _contact_change(external_userid, "del_follow_user", "删除了导购 {guide}")


@bp.post("/customers/<external_userid>/removed_by_guide")
def removed_by_guide(external_userid: str) -> Response | tuple[Response, int]:
    return _contact_change(external_userid, "del_external_contact", "被导购 {guide} 删除")


@bp.post("/customers/<external_userid>/kf_message")
def kf_message(external_userid: str) -> Response | tuple[Response, int]:
    state, body = current_state(), control_body()
    text = str(body.get("text") or "")
    if not text:
        return control_error("text is required")
    open_kfid = str(body.get("open_kfid") or state.config.open_kfid)
    if open_kfid not in state.kf_account_ids():
        return control_error(f"unknown kf account {open_kfid}", 404)
    return customer_writes_kf(state, external_userid, open_kfid, text)


@bp.post("/customers/<external_userid>/kf_menu_click")
def kf_menu_click(external_userid: str) -> Response | tuple[Response, int]:
    """The customer taps a click item (`menu_id`) of a menu message they received (`msgid`): WeChat
    sends the item's content as their text, with the `menu_id` (bot.simulator.kf_menus)."""
    state, body = current_state(), control_body()
    msgid, menu_id = str(body.get("msgid") or ""), str(body.get("menu_id") or "")
    open_kfid = str(body.get("open_kfid") or state.config.open_kfid)
    with state.lock:
        to, items = state.kf_menus.get((open_kfid, msgid), ("", {}))
    if to != external_userid:
        return control_error(f"no menu message {msgid!r} reached {external_userid} from {open_kfid}", 404)
    if menu_id not in items:
        return control_error(f"menu message {msgid} has no click item {menu_id!r}", 404)
    return customer_writes_kf(state, external_userid, open_kfid, items[menu_id], menu_id=menu_id)


def customer_writes_kf(state: SimulatorState, external_userid: str, open_kfid: str, text: str,
                       menu_id: str = "") -> Response:
    """The customer's message (or a menu click's reply, with its `menu_id`) reaches kf/sync_msg,
    opens the 48 h window, and a kf_msg_or_event callback announces it."""
    with state.lock:
        now = state.now()
        customer = state.customers.setdefault(external_userid, Customer(external_userid, "微信用户"))
        message = KfMessage(new_id("kfSIM"), open_kfid, external_userid, int(now), text, menu_id=menu_id)
        state.kf_messages.append(message)
        state.kf_windows[(open_kfid, external_userid)] = ReplyWindow(now)
        session = state.kf_session(open_kfid, external_userid)
        if session.state == KF_ENDED:  # a message after the end (or the first ever) starts a new session
            session.state, session.servicer_userid = KF_NEW, ""
        token = new_id("ENCSIM", 16)
        state.kf_tokens[token] = now
        xml = build_xml({
            "ToUserName": state.config.corp_id,
            "CreateTime": int(now),
            "MsgType": "event",
            "Event": "kf_msg_or_event",
            "Token": token,
            "OpenKfId": open_kfid,
        })
    result = Pusher(state).push_work(xml)
    state.record_inbound("kf", customer.name, "menu_click" if menu_id else "text", text,
                         external_userid=external_userid, status=result.as_json()["status"],
                         **({"menu_id": menu_id} if menu_id else {}))
    return _answer(result, msgid=message.msgid, token=token)


@bp.post("/customers/<external_userid>/kf_refuse")
def kf_refuse(external_userid: str) -> Response | tuple[Response, int]:
    """The customer refuses the account's messages: sends are taken, then reported failed (fail_type 10)."""
    state, body = current_state(), control_body()
    with state.lock:
        open_kfid = str(body.get("open_kfid") or state.config.open_kfid)
        if open_kfid not in state.kf_account_ids():
            return control_error(f"unknown kf account {open_kfid}", 404)
        state.kf_session(open_kfid, external_userid).refuses = bool(body.get("refuses", True))
    return jsonify({"open_kfid": open_kfid, "external_userid": external_userid})


@bp.post("/customers/<external_userid>/kf_enter")
def kf_enter(external_userid: str) -> Response | tuple[Response, int]:
    """The customer opens the kf chat (from a link or a QR code's scene): an enter_session event
    with a welcome_code, pulled through kf/sync_msg like any message."""
    state, body = current_state(), control_body()
    with state.lock:
        open_kfid = str(body.get("open_kfid") or state.config.open_kfid)
        if open_kfid not in state.kf_account_ids():
            return control_error(f"unknown kf account {open_kfid}", 404)
        customer = state.customers.setdefault(external_userid, Customer(external_userid, "微信用户"))
        code = new_id("KFWELCOMESIM", 12)
        xml = kf_system_event(state, open_kfid, external_userid,
                              {"event_type": "enter_session", "scene": str(body.get("scene") or ""),
                               "scene_param": "", "welcome_code": code})
    result = Pusher(state).push_work(xml)
    state.record_inbound("kf", customer.name, "enter_session", "进入了客服会话", external_userid=external_userid,
                         status=result.as_json()["status"])
    return _answer(result, welcome_code=code)


@bp.post("/customers/<external_userid>/kf_servicer_reply")
def kf_servicer_reply(external_userid: str) -> Response | tuple[Response, int]:
    """The servicer holding the session answers in the WeCom client (origin 5 in kf/sync_msg)."""
    state, body = current_state(), control_body()
    text = str(body.get("text") or "")
    with state.lock:
        open_kfid = str(body.get("open_kfid") or state.config.open_kfid)
        session = state.kf_sessions.get((open_kfid, external_userid))
        if session is None or session.state != KF_HUMAN:
            return control_error("no servicer holds this session: take it first (kf_session state 3)", 409)
        if not text:
            return control_error("text is required")
        now = state.now()
        state.kf_messages.append(KfMessage(new_id("kfSIM"), open_kfid, external_userid, int(now), text,
                                           servicer_userid=session.servicer_userid))
        token = new_id("ENCSIM", 16)
        state.kf_tokens[token] = now
        xml = build_xml({"ToUserName": state.config.corp_id, "CreateTime": int(now), "MsgType": "event",
                         "Event": "kf_msg_or_event", "Token": token, "OpenKfId": open_kfid})
        servicer = state.guides.get(session.servicer_userid, session.servicer_userid)
    result = Pusher(state).push_work(xml)
    state.record_inbound("kf", servicer, "servicer_text", text, external_userid=external_userid,
                         status=result.as_json()["status"])
    return _answer(result)


@bp.post("/customers/<external_userid>/kf_session")
def kf_session(external_userid: str) -> Response | tuple[Response, int]:
    """A servicer acts in the WeCom client: takes the session (state 3) or ends it (state 4)."""
    state, body = current_state(), control_body()
    with state.lock:
        open_kfid = str(body.get("open_kfid") or state.config.open_kfid)
        if open_kfid not in state.kf_account_ids():
            return control_error(f"unknown kf account {open_kfid}", 404)
        wanted = body.get("state")
        if wanted not in (KF_HUMAN, KF_ENDED):
            return control_error("state must be 3 (a servicer takes the session) or 4 (the session ends)")
        servicer = str(body.get("servicer_userid") or "")
        if wanted == KF_HUMAN and servicer not in state.guides:
            return control_error(f"servicer_userid must be a staff member, not {servicer!r}")
        session = state.kf_session(open_kfid, external_userid)
        session.state, session.servicer_userid = wanted, servicer if wanted == KF_HUMAN else ""
        return jsonify({"open_kfid": open_kfid, "external_userid": external_userid,
                        "service_state": session.state, "servicer_userid": session.servicer_userid})


def _mp_push(openid: str, kind: str, text: str, fields: dict[str, Any]) -> Response:
    state = current_state()
    xml = build_xml({
        "ToUserName": state.config.mp_original_id,
        "FromUserName": openid,
        "CreateTime": int(state.now()),
        **fields,
    })
    result = Pusher(state).push_mp(xml)
    state.record_inbound("mp", openid, kind, text, status=result.as_json()["status"])
    return _answer(result, openid=openid)


def _interact(state: SimulatorState, openid: str, by_message: bool) -> MpUser | None:
    """Open the custom-message window; None when `openid` does not follow the account.

    A message opens 5 within 48 h; a subscribe, menu click or QR scan only 3 within a minute. An
    event does not shorten a message's window that still has room (WeChat documents nothing on the
    overlap; the simulator keeps the longer one)."""
    user = state.mp_users.get(openid)
    if user is None or not user.subscribed:
        return None
    now = state.now()
    current = state.mp_windows.get(openid)
    if by_message:
        state.mp_windows[openid] = ReplyWindow(now)
    elif current is None or not current.allows(now) or current.seconds <= MP_EVENT_WINDOW_SECONDS:
        state.mp_windows[openid] = ReplyWindow(now, seconds=MP_EVENT_WINDOW_SECONDS, limit=MP_EVENT_WINDOW_MESSAGES)
    return user


@bp.post("/mp/<openid>/subscribe")
def mp_subscribe(openid: str) -> Response:
    state, body = current_state(), control_body()
    scene = str(body.get("scene") or "")
    with state.lock:
        user = state.mp_users.setdefault(openid, MpUser(openid))
        user.subscribed, user.subscribed_at = True, state.now()
        user.nickname = str(body.get("nickname") or user.nickname)
        user.unionid = str(body.get("unionid") or user.unionid)
        _interact(state, openid, by_message=False)
    fields: dict[str, Any] = {"MsgType": "event", "Event": "subscribe"}
    if scene:
        fields.update(EventKey=f"qrscene_{scene}", Ticket=new_id("gQSIM"))
    return _mp_push(openid, "subscribe", f"关注了公众号（场景 {scene}）" if scene else "关注了公众号", fields)


@bp.post("/mp/<openid>/unsubscribe")
def mp_unsubscribe(openid: str) -> Response | tuple[Response, int]:
    state = current_state()
    with state.lock:
        user = state.mp_users.get(openid)
        if user is None or not user.subscribed:
            return control_error(f"{openid} does not follow the account", 409)
        user.subscribed = False
        state.mp_windows.pop(openid, None)
    return _mp_push(openid, "unsubscribe", "取消关注", {"MsgType": "event", "Event": "unsubscribe", "EventKey": ""})


@bp.post("/mp/<openid>/text")
def mp_text(openid: str) -> Response | tuple[Response, int]:
    state, body = current_state(), control_body()
    text = str(body.get("text") or "")
    if not text:
        return control_error("text is required")
    with state.lock:
        if _interact(state, openid, by_message=True) is None:
            return control_error(f"{openid} does not follow the account; subscribe first", 409)
    msgid = state.next_message_id()
    return _mp_push(openid, "text", text, {"MsgType": "text", "Content": text, "MsgId": msgid})


@bp.post("/mp/<openid>/click")
def mp_click(openid: str) -> Response | tuple[Response, int]:
    state, body = current_state(), control_body()
    key = str(body.get("key") or "")
    if not key:
        return control_error("key is required")
    with state.lock:
        if _interact(state, openid, by_message=False) is None:
            return control_error(f"{openid} does not follow the account; subscribe first", 409)
    return _mp_push(openid, "click", f"点击菜单 {key}", {"MsgType": "event", "Event": "CLICK", "EventKey": key})


@bp.post("/mp/<openid>/scan")
def mp_scan(openid: str) -> Response | tuple[Response, int]:
    """A follower scans a parameter QR code (SCAN event; a non-follower subscribes instead)."""
    state, body = current_state(), control_body()
    scene = str(body.get("scene") or "")
    if not scene:
        return control_error("scene is required")
    with state.lock:
        if _interact(state, openid, by_message=False) is None:
            return control_error(f"{openid} does not follow the account; subscribe with a scene instead", 409)
    return _mp_push(openid, "scan", f"扫描二维码（场景 {scene}）",
                    {"MsgType": "event", "Event": "SCAN", "EventKey": scene, "Ticket": new_id("gQSIM")})


@bp.post("/staff/<userid>/text")
def staff_text(userid: str) -> Response | tuple[Response, int]:
    state, body = current_state(), control_body()
    text = str(body.get("text") or "")
    if not text:
        return control_error("text is required")
    with state.lock:
        if userid not in state.guides:
            return control_error(f"unknown staff member {userid}", 404)
        msgid = state.next_message_id()
        xml = build_xml({
            "ToUserName": state.config.corp_id,
            "FromUserName": userid,
            "CreateTime": int(state.now()),
            "MsgType": "text",
            "Content": text,
            "MsgId": msgid,
            "AgentID": state.config.agent_id,
        })
        name = state.guides[userid]
    result = Pusher(state).push_work(xml)
    state.record_inbound("app", name, "text", text, userid=userid, status=result.as_json()["status"])
    return _answer(result, userid=userid, msgid=msgid)


@bp.get("/customers/<external_userid>/tags")
def contact_tags(external_userid: str) -> Response | tuple[Response, int]:
    state = current_state()
    with state.lock:
        customer = state.customers.get(external_userid)
        if customer is None:
            return control_error(f"unknown customer {external_userid}", 404)
        follow = customer.follows.get(request.args.get("userid", ""))
        if follow is None:
            return control_error(f"{external_userid} is not a contact of that guide", 404)
        names = sorted(tag.name for tag_id in follow.tag_ids if (tag := state.find_tag(tag_id)) is not None)
    return jsonify(names)
