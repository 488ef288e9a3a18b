"""Customer transfers: while employed (在职转接) and after leaving (离职继承), with their results.

A transfer waits 24 h for the customer to refuse (`/sim/transfers/<external_userid>/refuse`), then
moves the contact to the takeover member; `transfer_result` reports 1 done, 2 waiting, 3 refused,
4 limit reached (a customer is transferred at most twice in 90 days). A refusal or the limit is
also pushed as `change_external_contact` / `transfer_fail`.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .actors import _contact_event
from .api_common import control_body, control_error, current_state, guard_call, json_body, wx_reply
from .push import Pusher
from .staff_state import Transfer
from .state import Follow, SimulatorState

bp = Blueprint("sim_transfers", __name__, url_prefix="/cgi-bin/externalcontact")
control = Blueprint("sim_transfers_control", __name__, url_prefix="/sim")

WAIT_SECONDS = 24 * 3600
LIMIT_WINDOW_SECONDS = 90 * 24 * 3600
LIMIT_COUNT = 2
INVALID_USERID = 40003
INVALID_EXTERNAL_USERID = 40096
NOT_EXTERNAL_CONTACT = 84061
NOT_RESIGNED = 40098  # the handover member has not left (a resigned transfer needs one who has)
RESULT_PAGE = 100
DONE, WAITING, REFUSED, LIMIT = 1, 2, 3, 4


@bp.before_request
def _guard() -> Response | None:
    return guard_call(request.path.removeprefix("/cgi-bin/"), current_state().wecom_tokens, frozenset())


def settle(state: SimulatorState) -> None:
    """Transfers whose 24 h passed unrefused are done: the contact moves to the takeover member."""
    now = state.now()
    for transfer in state.staff_side.transfers:
        if transfer.status == WAITING and now - transfer.started_at >= WAIT_SECONDS:
            customer = state.customers.get(transfer.external_userid)
            if customer is None:
                continue
            old = customer.follows.pop(transfer.handover_userid, None)
            customer.follows[transfer.takeover_userid] = Follow(
                transfer.takeover_userid, int(now), state=old.state if old else "",
                remark=old.remark if old else "", tag_ids=set(old.tag_ids) if old else set())
            transfer.status, transfer.takeover_time = DONE, int(now)


def _transfer(resigned: bool) -> Response:
    state, payload = current_state(), json_body()
    handover, takeover = str(payload.get("handover_userid") or ""), str(payload.get("takeover_userid") or "")
    with state.lock:
        settle(state)
        if handover not in state.guides or takeover not in state.guides:
            return wx_reply(INVALID_USERID, "invalid userid")
        if resigned and handover not in state.staff_side.resigned:
            return wx_reply(NOT_RESIGNED, "handover user is not resigned")
        now = state.now()
        results, refusals = [], []
        for external_userid in payload.get("external_userid") or []:
            customer = state.customers.get(str(external_userid))
            if customer is None:
                results.append({"external_userid": external_userid, "errcode": INVALID_EXTERNAL_USERID})
                continue
            if handover not in customer.follows:
                results.append({"external_userid": external_userid, "errcode": NOT_EXTERNAL_CONTACT})
                continue
            recent = [t for t in state.staff_side.transfers if t.external_userid == external_userid
                      and t.status in (DONE, WAITING) and now - t.started_at < LIMIT_WINDOW_SECONDS]
            transfer = Transfer(handover, takeover, str(external_userid), resigned, now)
            if len(recent) >= LIMIT_COUNT:
                transfer.status = LIMIT
                refusals.append((transfer, "customer_limit_exceed"))
            state.staff_side.transfers.append(transfer)
            results.append({"external_userid": external_userid, "errcode": 0})
    for transfer, reason in refusals:
        _push_fail(state, transfer, reason)
    return wx_reply(customer=results)


def _results(resigned: bool) -> Response:
    state, payload = current_state(), json_body()
    handover, takeover = str(payload.get("handover_userid") or ""), str(payload.get("takeover_userid") or "")
    offset = int(payload.get("cursor") or 0) if str(payload.get("cursor") or "0").isdigit() else 0
    with state.lock:
        settle(state)
        found = [t for t in state.staff_side.transfers if t.resigned == resigned
                 and t.handover_userid == handover and t.takeover_userid == takeover]
    page = found[offset:offset + RESULT_PAGE]
    more = offset + RESULT_PAGE < len(found)
    return wx_reply(customer=[{"external_userid": t.external_userid, "status": t.status,
                               "takeover_time": t.takeover_time} for t in page],
                    next_cursor=str(offset + RESULT_PAGE) if more else "")


@bp.post("/transfer_customer")
def transfer_customer() -> Response:
    return _transfer(resigned=False)


@bp.post("/transfer_result")
def transfer_result() -> Response:
    return _results(resigned=False)


@bp.post("/resigned/transfer_customer")
def resigned_transfer_customer() -> Response:
    return _transfer(resigned=True)


@bp.post("/resigned/transfer_result")
def resigned_transfer_result() -> Response:
    return _results(resigned=True)


@bp.post("/get_unassigned_list")
def get_unassigned_list() -> Response:
    """Customers of members who left and were not yet handed to anyone."""
    state = current_state()
    with state.lock:
        settle(state)
        moving = {(t.handover_userid, t.external_userid) for t in state.staff_side.transfers
                  if t.status in (DONE, WAITING)}
        info = [{"handover_userid": userid, "external_userid": c.external_userid, "dimission_time": 0}
                for c in state.customers.values() for userid in c.follows
                if userid in state.staff_side.resigned and (userid, c.external_userid) not in moving]
    return wx_reply(info=info, is_last=True, next_cursor="")


def _push_fail(state: SimulatorState, transfer: Transfer, reason: str) -> None:
    xml = _contact_event(state, "transfer_fail", transfer.handover_userid, transfer.external_userid,
                         FailReason=reason)
    Pusher(state).push_work(xml)
    state.record_inbound("work", transfer.external_userid, "transfer_fail", f"转接失败（{reason}）",
                         external_userid=transfer.external_userid)


@control.post("/transfers/<external_userid>/refuse")
def refuse_transfer(external_userid: str) -> Response | tuple[Response, int]:
    """The customer refuses the waiting transfer (within its 24 h)."""
    state = current_state()
    with state.lock:
        settle(state)
        transfer = next((t for t in state.staff_side.transfers
                         if t.external_userid == external_userid and t.status == WAITING), None)
        if transfer is None:
            return control_error(f"no waiting transfer of {external_userid}", 404)
        transfer.status = REFUSED
    _push_fail(state, transfer, "customer_refused")
    return jsonify({"external_userid": external_userid, "status": REFUSED})


@control.post("/guides/<userid>/resign")
def resign(userid: str) -> Response | tuple[Response, int]:
    """The member leaves the company: their customers wait in get_unassigned_list for 离职继承."""
    state = current_state()
    body = control_body()
    with state.lock:
        if userid not in state.guides:
            return control_error(f"unknown staff member {userid}", 404)
        state.staff_side.resigned.add(userid)
        return jsonify({"userid": userid, "resigned": True, "note": body.get("note", "")})


@control.get("/transfers")
def list_transfers() -> Response:
    state = current_state()
    with state.lock:
        settle(state)
        return jsonify([{"handover_userid": t.handover_userid, "takeover_userid": t.takeover_userid,
                         "external_userid": t.external_userid, "resigned": t.resigned, "status": t.status}
                        for t in state.staff_side.transfers])

