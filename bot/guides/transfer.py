"""Handing customers from one guide to another: while employed (在职转接) or after leaving (离职继承).

A request is a `customer_transfers` row and a task that calls WeCom; the customer stays with the
old guide until WeCom reports the transfer done (`transfer_result`, polled; the customer may
refuse within 24 h), then the ownership, the open follow-up tasks and the running playbooks move
to the new guide. Refusals and limits (twice in 90 days) come back as statuses and through the
`transfer_fail` callback; both guides and whoever asked are told in words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import Database
from bot.guides.lookup import GuideError, display_name, find_customer, own_customers
from bot.models import Customer, CustomerGuide, CustomerTransfer, GuideTask, Staff
from bot.services.customers import CustomerService
from bot.jobs.tasks import TaskQueue
from bot.wechat.outbound import Outbound

if TYPE_CHECKING:
    from bot.guides.commands import Context

logger = logging.getLogger(__name__)

TASK = "guide_transfer"
# transfer_result statuses -> ours
RESULT_STATUS = {1: "done", 2: "waiting", 3: "refused", 4: "limit"}
STATUS_CN = {"waiting": "等待客户确认（24 小时内可拒绝）", "done": "已完成", "refused": "客户拒绝了转接",
             "limit": "客户 90 天内已被转接两次，暂不能再转", "failed": "企业微信拒绝了转接"}
FAIL_REASONS = {"customer_refused": "refused", "customer_limit_exceed": "limit"}


class TransferError(GuideError):
    """A transfer that cannot be requested; the message says why."""


def request_transfer(session: Session, clock: Clock, customer: Customer, from_staff: Staff, to_staff: Staff,
                     *, resigned: bool | None = None, requested_by: str = "") -> CustomerTransfer:
    """Ask WeCom to move `customer` from `from_staff` to `to_staff` (after the commit)."""
    if from_staff.id == to_staff.id:
        raise TransferError(f"{display_name(customer)}已经是 {to_staff.name} 的客户。")
    waiting = session.scalar(select(CustomerTransfer).where(CustomerTransfer.customer_id == customer.id,
                                                            CustomerTransfer.status == "waiting"))
    if waiting is not None:
        raise TransferError(f"{display_name(customer)}已有一笔转接在等待客户确认。")
    kind = "resigned" if (resigned if resigned is not None else not from_staff.active) else "employed"
    row = CustomerTransfer(customer_id=customer.id, from_staff_id=from_staff.id, to_staff_id=to_staff.id,
                           kind=kind, status="waiting", requested_by=requested_by)
    session.add(row)
    session.flush()
    TaskQueue(session, clock).enqueue(TASK, f"{TASK}:{row.id}", {"transfer_id": row.id})
    return row


def customers_of(session: Session, staff: Staff) -> list[Customer]:
    return list(session.scalars(select(Customer).where(own_customers(staff)).order_by(Customer.id)))


def request_from_command(ctx: "Context", who: str, to: str) -> str:
    """「转交 小美 guide_wang」 or 「转交 guide_li guide_wang」 (every customer of guide_li)."""
    to_staff = staff_named(ctx.session, to)
    if to_staff is None:
        raise TransferError(f"没有找到导购「{to}」。请写导购的账号或姓名，例如「转交 小美 guide_wang」。")
    from_staff = staff_named(ctx.session, who)
    if from_staff is not None:
        customers = customers_of(ctx.session, from_staff)
        if not customers:
            return f"{from_staff.name} 名下没有客户。"
        done = transfer_many(ctx.session, ctx.clock, customers, from_staff, to_staff, requested_by=ctx.staff.userid)
        return f"已提交 {done} 位客户从 {from_staff.name} 转给 {to_staff.name}，结果会通知您。"
    customer = find_customer(ctx.session, ctx.staff, who, any_customer=True)
    ctx.customer = customer
    if customer.guide is None:
        raise TransferError(f"{display_name(customer)}目前没有导购，无需转交。")
    request_transfer(ctx.session, ctx.clock, customer, customer.guide, to_staff, requested_by=ctx.staff.userid)
    return f"已提交{display_name(customer)}从 {customer.guide.name} 转给 {to_staff.name}，结果会通知您。"


def transfer_many(session: Session, clock: Clock, customers: Sequence[Customer], from_staff: Staff, to_staff: Staff,
                  *, resigned: bool | None = None, requested_by: str = "") -> int:
    done = 0
    for customer in customers:
        try:
            request_transfer(session, clock, customer, from_staff, to_staff, resigned=resigned,
                             requested_by=requested_by)
            done += 1
        except TransferError as error:
            logger.info("transfer of customer %s skipped: %s", customer.id, error)
    return done


def staff_named(session: Session, word: str) -> Staff | None:
    return session.scalar(select(Staff).where((Staff.userid == word) | (Staff.name == word)).limit(1))


# --- calling WeCom --------------------------------------------------------------------------------

def _api(kind: str, what: str) -> str:
    return f"externalcontact/resigned/{what}" if kind == "resigned" else f"externalcontact/{what}"


def start_transfer(payload: dict[str, Any], db: Database, outbound: Outbound) -> None:
    """Task: the transfer call for one customer; a refusal is final and told."""
    wecom = outbound.wecom
    if wecom is None:
        return
    with db.session() as session:
        row = session.get(CustomerTransfer, payload["transfer_id"])
        if row is None or row.status != "waiting":
            return
        customer = session.get_one(Customer, row.customer_id)
        handover = session.get_one(Staff, row.from_staff_id).userid
        takeover = session.get_one(Staff, row.to_staff_id).userid
        data = {"handover_userid": handover, "takeover_userid": takeover,
                "external_userid": [customer.external_userid]}
        if row.kind == "employed":
            data["transfer_success_msg"] = "您好，您的服务顾问已更换，之后由新的顾问为您服务。"
        api = _api(row.kind, "transfer_customer")
    result = outbound.call(lambda: wecom.post(api, data=data))
    if not result.settled(api):
        _finish(db, outbound, payload["transfer_id"], "failed", result.errcode)
        return
    wanted = data["external_userid"][0]
    item = next((c for c in result.response.get("customer", []) if c.get("external_userid") == wanted),
                {"errcode": 0})
    if int(item.get("errcode") or 0):
        _finish(db, outbound, payload["transfer_id"], "failed", int(item["errcode"]))


def poll_transfers(db: Database, outbound: Outbound) -> int:
    """Ask WeCom how the waiting transfers went; finish the ones that are decided. Returns how many."""
    wecom = outbound.wecom
    if wecom is None:
        return 0
    with db.session() as session:
        waiting = session.execute(
            select(CustomerTransfer.id, CustomerTransfer.kind, Customer.external_userid,
                   Staff.userid.label("handover"), CustomerTransfer.to_staff_id)
            .join(Customer, Customer.id == CustomerTransfer.customer_id)
            .join(Staff, Staff.id == CustomerTransfer.from_staff_id)
            .where(CustomerTransfer.status == "waiting")).all()
        takeovers = dict(session.execute(select(Staff.id, Staff.userid)).all())
    pairs: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    for transfer_id, kind, external_userid, handover, to_staff_id in waiting:
        pairs.setdefault((kind, handover, takeovers[to_staff_id]), []).append((transfer_id, external_userid))
    finished = 0
    for (kind, handover, takeover), rows in pairs.items():
        statuses = _results(outbound, kind, handover, takeover)
        for transfer_id, external_userid in rows:
            status = RESULT_STATUS.get(statuses.get(external_userid, 2), "waiting")
            if status != "waiting":
                _finish(db, outbound, transfer_id, status, None)
                finished += 1
    return finished


def _results(outbound: Outbound, kind: str, handover: str, takeover: str) -> dict[str, int]:
    wecom = outbound.wecom
    assert wecom is not None
    found: dict[str, int] = {}
    cursor = ""
    api = _api(kind, "transfer_result")
    while True:
        result = outbound.call(lambda cursor=cursor: wecom.post(api, data={
            "handover_userid": handover, "takeover_userid": takeover, "cursor": cursor}))
        if not result.ok:
            logger.warning("%s refused: errcode %s", api, result.errcode)
            return found
        for item in result.response.get("customer", []):
            found[item["external_userid"]] = int(item.get("status") or 2)
        cursor = str(result.response.get("next_cursor") or "")
        if not cursor:
            return found


def transfer_failed(session: Session, clock: Clock, customer: Customer, handover_userid: str,
                    reason: str) -> CustomerTransfer | None:
    """The `transfer_fail` callback: the waiting transfer of this customer is refused or over the
    limit; the old guide is told (through a queued notice)."""
    row = session.scalar(select(CustomerTransfer).join(Staff, Staff.id == CustomerTransfer.from_staff_id)
                         .where(CustomerTransfer.customer_id == customer.id, CustomerTransfer.status == "waiting",
                                Staff.userid == handover_userid))
    if row is None:
        return None
    row.status, row.finished_at = FAIL_REASONS.get(reason, "refused"), clock.now()
    new = session.get_one(Staff, row.to_staff_id)
    text = f"{display_name(customer)}转给 {new.name} 未成功：{STATUS_CN[row.status]}。客户仍由您跟进。"
    TaskQueue(session, clock).enqueue("notify_guide", f"notify_transfer:{row.id}",
                                      {"userid": handover_userid, "customer_id": customer.id, "text": text})
    return row


def _finish(db: Database, outbound: Outbound, transfer_id: int, status: str, errcode: int | None) -> None:
    notices: list[tuple[str, str]] = []
    with db.session() as session:
        row = session.get(CustomerTransfer, transfer_id, with_for_update=True)
        if row is None or row.status != "waiting":
            return
        now = db.clock.now()
        row.status, row.errcode, row.finished_at = status, errcode, now
        customer = session.get_one(Customer, row.customer_id)
        old, new = session.get_one(Staff, row.from_staff_id), session.get_one(Staff, row.to_staff_id)
        name = display_name(customer)
        if status == "done":
            move_customer(session, CustomerService(session, db.clock), customer, old, new, row.kind, now)
            notices.append((new.userid, f"{name}已从 {old.name} 转给您，相关任务和剧本已一并转入。"
                                        f"发送「查 {name}」查看。"))
            if row.kind == "employed":
                notices.append((old.userid, f"{name}已转给 {new.name}。"))
        else:
            what = STATUS_CN[status] + (f"（errcode {errcode}）" if errcode else "")
            notices.append((old.userid, f"{name}转给 {new.name} 未成功：{what}。客户仍由您跟进。"))
        if row.requested_by and row.requested_by not in (old.userid, new.userid):
            notices.append((row.requested_by, f"转交结果：{name} {old.name} → {new.name}：{STATUS_CN[status]}。"))
        customer_id = customer.id
    logger.info("transfer %s finished: %s", transfer_id, status)
    for userid, text in notices:
        if userid:
            outbound.send_app_text(userid, text, customer_id=customer_id)


def move_customer(session: Session, customers: CustomerService, customer: Customer, old: Staff, new: Staff,
                  kind: str, at: datetime) -> None:
    """The new guide owns the customer; the old relation ends; open tasks move. Running playbooks
    follow the owner by themselves (each step reads the customer's guide when it is sent)."""
    relation = session.scalar(select(CustomerGuide).where(CustomerGuide.customer_id == customer.id,
                                                          CustomerGuide.staff_id == old.id))
    state = relation.state if relation else None
    if relation is not None:
        relation.status, relation.ended_at = "transferred", at
    customers.add_guide(customer, new, state, at)
    customer.guide_id = new.id
    session.execute(update(GuideTask).where(GuideTask.customer_id == customer.id, GuideTask.staff_id == old.id,
                                            GuideTask.status == "open").values(staff_id=new.id)
                    .execution_options(synchronize_session=False))
    customers.record_event(customer, "transferred", at, {"from": old.userid, "to": new.userid, "kind": kind},
                           source="system")
