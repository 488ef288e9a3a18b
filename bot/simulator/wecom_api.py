"""WeCom server API under /cgi-bin/: the calls the bot makes as a self-built app."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from flask import Blueprint, Response, request

from .api_common import current_state, guard_call, issue_token, json_body, refuse, wx_reply
from .kf_menus import click_items, menu_problem
from .push import build_xml, push_work_later
from .state import (
    KF_API,
    KfMessage,
    SimulatorState,
    KF_HISTORY_SECONDS,
    KF_HUMAN,
    KF_NEW,
    KF_TRANSITIONS,
    KF_TOKEN_SECONDS,
    WELCOME_CODE_SECONDS,
    CorpTag,
    MassTask,
    TagGroup,
    new_id,
)

logger = logging.getLogger(__name__)
bp = Blueprint("sim_wecom", __name__, url_prefix="/cgi-bin")

INVALID_AGENTID = 40056
INVALID_TAGID = 40068
TAG_NAME_EXISTS = 40071
INVALID_EXTERNAL_USERID = 40096
INVALID_USERID = 40003
INVALID_PARAMETER = 40058
DUPLICATE_MSGID = INVALID_PARAMETER  # assumed: the kf doc says a msgid must be unique, not what a repeat answers
WELCOME_CODE_EXPIRED = 41050
WELCOME_ALREADY_SENT = 41051
WELCOME_OTHER_APP_SENDING = 41096
OUT_OF_WINDOW = 45015
ALL_RECEIVERS_INVALID = 81013
NOT_EXTERNAL_CONTACT = 84061
INVALID_OPEN_KFID = 95000
INVALID_KF_TOKEN = 95007
INVALID_CURSOR = 95008
KF_SERVICER_INACTIVE = 95014
KF_TRANSITION_NOT_ALLOWED = 95016  # assumed: the doc lists the allowed transitions, not this errcode
KF_SESSION_NOT_API = 95018
# msg_send_fail fail_type [94670]: 4 the 48 h window expired, 6 over 5 messages, 10 the customer refuses.
KF_FAIL_EXPIRED, KF_FAIL_OVER_LIMIT, KF_FAIL_REFUSED = 4, 6, 10
KF_SYNC_MAX = 1000


@bp.before_request
def _guard() -> Response | None:
    api = request.path.removeprefix("/cgi-bin/")
    return guard_call(api, current_state().wecom_tokens, frozenset({"gettoken"}))


@bp.get("/gettoken")
def gettoken() -> Response:
    state = current_state()
    config = state.config
    return issue_token(state.wecom_tokens, "corpid", config.corp_id, "corpsecret", config.corp_secret)


@bp.post("/message/send")
def message_send() -> Response:
    api = "message/send"
    state, payload = current_state(), json_body()
    if int(payload.get("agentid") or 0) != state.config.agent_id:
        return refuse(api, payload, INVALID_AGENTID, "invalid agentid")
    with state.lock:
        wanted = str(payload.get("touser") or "")
        users = list(state.guides) if wanted == "@all" else [u for u in wanted.split("|") if u]
        valid = [u for u in users if u in state.guides]
        invalid = [u for u in users if u not in state.guides]
        if not valid:
            return refuse(api, payload, ALL_RECEIVERS_INVALID, "user & party & tag all invalid")
        now = state.now()
        for userid in valid:
            delivered = _app_message_room(state, userid, now)
            state.record_sent(api, payload, 0, delivered=delivered, to=userid,
                              **({} if delivered else {"dropped": "over the per-member limit"}))
    return wx_reply(invaliduser="|".join(invalid), invalidparty="", invalidtag="", unlicenseduser="",
                    msgid=new_id("appmsg"))


def _app_message_room(state: SimulatorState, userid: str, now: float) -> bool:
    """Count one app message to `userid`; False when WeChat drops it [90236].

    Over 30 a minute or 1000 an hour the message is dropped with errcode 0 ("超过部分会被丢弃不下发")
    and the member stays blocked for that window's length: every message meanwhile is dropped too.
    """
    if state.app_blocked_until.get(userid, 0) > now:
        return False
    if state.app_message_limit.take(userid, now):
        return True
    full = state.app_message_limit.full_window(userid, now)
    state.app_blocked_until[userid] = now + (full.seconds if full else 60)
    logger.info("app messages to %s over the limit: dropped, blocked until +%ss", userid, full and full.seconds)
    return False


@bp.post("/externalcontact/send_welcome_msg")
def send_welcome_msg() -> Response:
    api = "externalcontact/send_welcome_msg"
    state, payload = current_state(), json_body()
    with state.lock:
        code = state.welcome_codes.get(str(payload.get("welcome_code") or ""))
        now = state.now()
        if code is None or now - code.issued_at > WELCOME_CODE_SECONDS:
            return refuse(api, payload, WELCOME_CODE_EXPIRED, "welcome code invalid or expired")
        if code.used:
            return refuse(api, payload, WELCOME_ALREADY_SENT, "welcome message already sent for this code")
        if code.busy_until > now:
            # Another app (a third-party SCRM on the same corp) is sending with this code right now.
            return refuse(api, payload, WELCOME_OTHER_APP_SENDING, "another app is sending the welcome message")
        code.used = True
        state.record_sent(api, payload, 0, delivered=True, userid=code.userid)
    return wx_reply()


@bp.get("/externalcontact/get")
def externalcontact_get() -> Response:
    state = current_state()
    with state.lock:
        customer = state.customers.get(request.args.get("external_userid", ""))
        if customer is None:
            return wx_reply(INVALID_EXTERNAL_USERID, "invalid external userid")
        follow_user = []
        for follow in customer.follows.values():
            tags = []
            for tag_id in sorted(follow.tag_ids):
                tag = state.find_tag(tag_id)
                if tag is not None:
                    tags.append({"group_name": state.group_of(tag).group_name, "tag_name": tag.name,
                                 "tag_id": tag.id, "type": 1})
            follow_user.append({"userid": follow.userid, "remark": follow.remark, "description": "",
                                "createtime": follow.createtime, "tags": tags, "state": follow.state,
                                "add_way": 1})
        contact = {"external_userid": customer.external_userid, "name": customer.name, "type": 1,
                   "avatar": "", "gender": 0}
        if customer.unionid:
            contact["unionid"] = customer.unionid
    return wx_reply(external_contact=contact, follow_user=follow_user)


@bp.post("/externalcontact/mark_tag")
def mark_tag() -> Response:
    state, payload = current_state(), json_body()
    add, remove = list(payload.get("add_tag") or []), list(payload.get("remove_tag") or [])
    with state.lock:
        customer = state.customers.get(str(payload.get("external_userid") or ""))
        if customer is None:
            return wx_reply(INVALID_EXTERNAL_USERID, "invalid external userid")
        follow = customer.follows.get(str(payload.get("userid") or ""))
        if follow is None:
            return wx_reply(NOT_EXTERNAL_CONTACT, "not external contact")
        if not add and not remove:
            return wx_reply(INVALID_PARAMETER, "add_tag and remove_tag are both empty")
        if any(state.find_tag(tag_id) is None for tag_id in add + remove):
            return wx_reply(INVALID_TAGID, "invalid tagid")
        follow.tag_ids.update(add)
        follow.tag_ids.difference_update(remove)
    return wx_reply()


@bp.post("/externalcontact/get_corp_tag_list")
def get_corp_tag_list() -> Response:
    state, payload = current_state(), json_body()
    tag_ids = set(payload.get("tag_id") or [])
    group_ids = set(payload.get("group_id") or [])
    with state.lock:
        groups = []
        for group in state.tag_groups:
            if group_ids and group.group_id not in group_ids:
                continue
            if tag_ids and not group_ids:
                if not any(t.id in tag_ids for t in group.tags):
                    continue
                groups.append(group.as_api(only=tag_ids))
            else:
                groups.append(group.as_api())
    return wx_reply(tag_group=groups)


@bp.post("/externalcontact/add_corp_tag")
def add_corp_tag() -> Response:
    state, payload = current_state(), json_body()
    wanted = payload.get("tag") or []
    names = list(dict.fromkeys(str(t.get("name") or "") for t in wanted if isinstance(t, dict)))
    if not names or not all(names):
        return wx_reply(INVALID_PARAMETER, "tag names are required; empty groups are not supported")
    orders = {str(t.get("name")): int(t.get("order") or 0) for t in wanted if isinstance(t, dict)}
    with state.lock:
        now = int(state.now())
        group = _find_group(state.tag_groups, payload.get("group_id"), payload.get("group_name"))
        if group is None and payload.get("group_id"):
            return wx_reply(INVALID_TAGID, "invalid group_id")
        if group is None:
            group = TagGroup(new_id("etSIMG"), str(payload.get("group_name") or "未分组"), now,
                             int(payload.get("order") or 0))
            state.tag_groups.append(group)
        if any(t.name in names for t in group.tags):
            return wx_reply(TAG_NAME_EXISTS, "tag name already exists in this group")
        created = [CorpTag(new_id("etSIMT"), name, group.group_id, now, orders.get(name, 0)) for name in names]
        group.tags.extend(created)
        answer = group.as_api(only={t.id for t in created})
    return wx_reply(tag_group=answer)


def _find_group(groups: list[TagGroup], group_id: Any, group_name: Any) -> TagGroup | None:
    if group_id:
        return next((g for g in groups if g.group_id == group_id), None)
    return next((g for g in groups if g.group_name == group_name), None)


@bp.post("/externalcontact/add_msg_template")
def add_msg_template() -> Response:
    """Create a mass-message task [92135]: nothing is sent until the member confirms it, and the
    customers' quota is checked only then (send-result status 3), not here. An external_userid
    WeChat does not know fails the whole call (40096); one that is not the sender's contact is in
    `fail_list`."""
    api = "externalcontact/add_msg_template"
    state, payload = current_state(), json_body()
    sender = str(payload.get("sender") or "")
    with state.lock:
        if sender and sender not in state.guides:
            return refuse(api, payload, INVALID_USERID, "invalid sender userid")
        wanted = [str(u) for u in payload.get("external_userid") or []]
        if any(u not in state.customers for u in wanted):
            return refuse(api, payload, INVALID_EXTERNAL_USERID, "invalid external_userid")
        accepted = [u for u in wanted if not sender or sender in state.customers[u].follows]
        fail_list = [u for u in wanted if u not in accepted]
        task = MassTask(new_id("msgSIM"), sender, accepted, payload, state.now(), results=dict.fromkeys(accepted, 0))
        state.mass_tasks[task.msgid] = task
        state.record_sent(api, payload, 0, delivered=False, to=sender, msgid=task.msgid,
                          accepted=accepted, fail_list=fail_list)
    return wx_reply(msgid=task.msgid, fail_list=fail_list)


@bp.post("/externalcontact/get_groupmsg_task")
def get_groupmsg_task() -> Response:
    """Each member's part of a mass task [93338]: status 0 not sent yet, 2 sent."""
    state, payload = current_state(), json_body()
    with state.lock:
        task = state.mass_tasks.get(str(payload.get("msgid") or ""))
        if task is None:
            return wx_reply(INVALID_PARAMETER, "invalid msgid")
        return wx_reply(task_list=[{"userid": task.sender, "status": 2 if task.confirmed else 0,
                                    "send_time": int(task.sent_at) if task.confirmed else 0}], next_cursor="")


@bp.post("/externalcontact/get_groupmsg_send_result")
def get_groupmsg_send_result() -> Response:
    """Per customer [93338]: 0 not sent, 1 sent, 2 not a contact, 3 over the customer's quota."""
    state, payload = current_state(), json_body()
    with state.lock:
        task = state.mass_tasks.get(str(payload.get("msgid") or ""))
        if task is None or payload.get("userid") != task.sender:
            return wx_reply(INVALID_PARAMETER, "invalid msgid or userid")
        send_list = [{"external_userid": u, "userid": task.sender, "status": status,
                      **({"send_time": int(task.sent_at)} if status == 1 else {})}
                     for u, status in task.results.items()]
    return wx_reply(send_list=send_list, next_cursor="")


@bp.post("/externalcontact/cancel_groupmsg_send")
def cancel_groupmsg_send() -> Response:
    """Stop a mass task the member has not sent yet: a later confirmation sends nothing."""
    state, payload = current_state(), json_body()
    with state.lock:
        task = state.mass_tasks.get(str(payload.get("msgid") or ""))
        if task is None:
            return wx_reply(INVALID_PARAMETER, "invalid msgid")
        task.cancelled = True
    return wx_reply()


def deliver_mass(state: SimulatorState, task: MassTask) -> list[dict[str, Any]]:
    """The member sends the task: each customer gets it unless over quota or no longer a contact.
    Call with the state lock held; returns the sent-log records."""
    now = state.now()
    task.confirmed, task.sent_at = True, now
    records = []
    for external_userid in task.external_userids:
        customer = state.customers.get(external_userid)
        if customer is None or (task.sender and task.sender not in customer.follows):
            status = 2
        elif not state.mass_quota_left(external_userid, now):
            status = 3
        else:
            status = 1
            state.mass_received.setdefault(external_userid, []).append(now)
        task.results[external_userid] = status
        records.append(state.record_sent("mass_message", task.payload, 0, delivered=status == 1, to=external_userid,
                                         msgid=task.msgid, sender=task.sender, status=status).as_json())
    return records


@bp.route("/kf/account/list", methods=["GET", "POST"])
def kf_account_list() -> Response:
    config = current_state().config
    return wx_reply(account_list=[{"open_kfid": open_kfid, "name": name, "avatar": ""}
                                  for open_kfid, name in config.all_kf_accounts()])


@bp.post("/kf/service_state/get")
def kf_service_state_get() -> Response:
    state, payload = current_state(), json_body()
    with state.lock:
        if payload.get("open_kfid") not in state.kf_account_ids():
            return wx_reply(INVALID_OPEN_KFID, "invalid open_kfid")
        session = state.kf_session(str(payload["open_kfid"]), str(payload.get("external_userid") or ""))
        return wx_reply(service_state=session.state, servicer_userid=session.servicer_userid)


@bp.post("/kf/service_state/trans")
def kf_service_state_trans() -> Response:
    state, payload = current_state(), json_body()
    with state.lock:
        if payload.get("open_kfid") not in state.kf_account_ids():
            return wx_reply(INVALID_OPEN_KFID, "invalid open_kfid")
        session = state.kf_session(str(payload["open_kfid"]), str(payload.get("external_userid") or ""))
        try:
            wanted = int(payload.get("service_state"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return wx_reply(INVALID_PARAMETER, "invalid service_state")
        if wanted not in KF_TRANSITIONS[session.state]:
            return wx_reply(KF_TRANSITION_NOT_ALLOWED,
                            f"service_state {session.state} cannot change to {wanted}")
        servicer = str(payload.get("servicer_userid") or "")
        if wanted == KF_HUMAN and servicer not in state.guides:
            return wx_reply(KF_SERVICER_INACTIVE, "servicer_userid is not an active servicer")
        session.state, session.servicer_userid = wanted, servicer if wanted == KF_HUMAN else ""
    # msg_code: for a greeting (to 2 or 3) or a closing line (to 4) through send_msg_on_event.
    return wx_reply(msg_code=new_id("MSGCODESIM", 12) if wanted != KF_API else "")


@bp.post("/kf/sync_msg")
def kf_sync_msg() -> Response:
    state, payload = current_state(), json_body()
    with state.lock:
        now = state.now()
        # The callback's token is optional: without one WeChat applies a stricter frequency limit
        # (not modelled); a token given must be one it issued within 10 minutes.
        token = str(payload.get("token") or "")
        issued_at = state.kf_tokens.get(token)
        if token and (issued_at is None or now - issued_at >= KF_TOKEN_SECONDS):
            return wx_reply(INVALID_KF_TOKEN, "invalid msg token")
        start = _decode_cursor(str(payload.get("cursor") or ""))
        if start is None:
            return wx_reply(INVALID_CURSOR, "invalid cursor")
        limit = max(1, min(int(payload.get("limit") or KF_SYNC_MAX), KF_SYNC_MAX))
        open_kfid = payload.get("open_kfid")
        messages = state.kf_messages
        page, position = [], start
        while position < len(messages) and len(page) < limit:
            message = messages[position]
            position += 1
            if now - message.send_time > KF_HISTORY_SECONDS:
                continue
            if open_kfid and message.open_kfid != open_kfid:
                continue
            page.append(message.as_api())
        has_more = int(position < len(messages))
    return wx_reply(next_cursor=_encode_cursor(position), has_more=has_more, msg_list=page)


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"sim:{position}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    prefix, _, number = raw.partition(":")
    return int(number) if prefix == "sim" and number.isdigit() else None


@bp.post("/kf/send_msg")
def kf_send_msg() -> Response:
    """Send within 48 h and 5 messages of the customer's last message, while the session is new or
    API-handled. Success is not delivery: expiry, the 5-message limit (in "async" mode) and the
    customer's refusal come back later as msg_send_fail events through kf/sync_msg."""
    api = "kf/send_msg"
    state, payload = current_state(), json_body()
    msgid = str(payload.get("msgid") or "")
    with state.lock:
        now = state.now()
        open_kfid, touser = str(payload.get("open_kfid") or ""), str(payload.get("touser") or "")
        if open_kfid not in state.kf_account_ids():
            return refuse(api, payload, INVALID_OPEN_KFID, "invalid open_kfid")
        if payload.get("msgtype") == "msgmenu" and (problem := menu_problem(payload.get("msgmenu"))):
            return refuse(api, payload, INVALID_PARAMETER, f"invalid parameter: {problem}")
        if msgid and (open_kfid, msgid) in state.kf_results:
            # A msgid must be unique within the kf account: a repeat is an error, not a replay of the
            # first success. WeChat does not document the errcode; the simulator assumes 40058.
            return refuse(api, payload, DUPLICATE_MSGID, "invalid parameter: msgid already exists", duplicate=True)
        window = state.kf_windows.get((open_kfid, touser))
        fail_type = None
        if window is None or not window.allows(now):
            if window is None or state.config.kf_window_errors == "sync":
                return refuse(api, payload, OUT_OF_WINDOW, "response out of time limit or count limit")
            fail_type = KF_FAIL_EXPIRED if not window.open(now) else KF_FAIL_OVER_LIMIT
        session = state.kf_session(open_kfid, touser)
        if fail_type is None and session.state not in (KF_NEW, KF_API):
            return refuse(api, payload, KF_SESSION_NOT_API,
                          f"session state {session.state} does not allow sending through the API")
        if fail_type is None and session.refuses:
            fail_type = KF_FAIL_REFUSED
        if fail_type is None:
            assert window is not None
            window.used += 1
            session.state = KF_API  # assumed: answering a new session through the API takes it (state 1)
        msgid = msgid or new_id("kfmsgSIM")
        state.kf_results[(open_kfid, msgid)] = {"msgid": msgid}
        if fail_type is None and payload.get("msgtype") == "msgmenu":
            state.kf_menus[(open_kfid, msgid)] = (touser, click_items(payload["msgmenu"]))
        state.record_sent(api, payload, 0, delivered=fail_type is None, msgid=msgid,
                          **({} if fail_type is None else {"fail_type": fail_type}))
        if fail_type is not None:
            xml = kf_system_event(state, open_kfid, touser,
                                  {"event_type": "msg_send_fail", "fail_msgid": msgid, "fail_type": fail_type})
    if fail_type is not None:
        # WeChat reports the failure a moment after it answered the call.
        push_work_later(state, xml, 0.2)
    return wx_reply(msgid=msgid)


def kf_system_event(state: SimulatorState, open_kfid: str, external_userid: str, event: dict[str, Any]) -> str:
    """Queue an origin-4 event for kf/sync_msg; returns the kf_msg_or_event callback announcing it.
    Call with the state lock held."""
    now = state.now()
    state.kf_messages.append(KfMessage(new_id("kfSIM"), open_kfid, external_userid, int(now), "", event))
    token = new_id("ENCSIM", 16)
    state.kf_tokens[token] = now
    return build_xml({"ToUserName": state.config.corp_id, "CreateTime": int(now), "MsgType": "event",
                      "Event": "kf_msg_or_event", "Token": token, "OpenKfId": open_kfid})
