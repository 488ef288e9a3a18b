"""Finding a guide's customer by name, remark or short reference (#A12), and who may act on whom."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from bot.models import Customer, CustomerGuide, Staff

REF_PREFIX = "A"
REF = re.compile(r"^[#＃]\s*[Aa](\d{1,9})$")
CHOICES = 5  # candidates listed when a name is ambiguous


class GuideError(Exception):
    """A guide's request that cannot be carried out; the message is the one-line answer."""


class NoSuchCustomer(GuideError):
    def __init__(self, query: str) -> None:
        super().__init__(f"在您的客户里没有找到「{query}」。可以用客户昵称、备注名或编号（如 #A12）查找。")


class NotYourCustomer(GuideError):
    def __init__(self, customer: Customer) -> None:
        super().__init__(f"客户 #{ref_of(customer.id)} 不是您的客户，您只能查看和操作自己的客户。"
                         "如需接手，请联系管理员「转交」。")


class Ambiguous(GuideError):
    """Several of the guide's customers fit: a numbered choice."""

    def __init__(self, query: str, candidates: Sequence[Customer]) -> None:
        self.query = query
        self.candidates = list(candidates)
        lines = [f"有 {len(candidates)} 位客户叫「{query}」，请回复序号选择："]
        lines += [f"{i}. {display_name(c)} #{ref_of(c.id)}（{stage_cn(c.stage)}）"
                  for i, c in enumerate(candidates, start=1)]
        super().__init__("\n".join(lines))


def ref_of(customer_id: int) -> str:
    """The short reference a guide types: `A12` (shown as #A12)."""
    return f"{REF_PREFIX}{customer_id}"


def parse_ref(text: str) -> int | None:
    match = REF.match(text.strip())
    return int(match[1]) if match else None


def display_name(customer: Customer) -> str:
    return customer.name or customer.external_userid or customer.openid or f"客户{customer.id}"


STAGES_CN = {"new": "新客", "active": "活跃", "dormant": "沉默", "churn_risk": "流失风险", "lost": "已流失",
             "customer": "已成交"}
TIERS_CN = {"high": "高", "medium": "中", "low": "低"}


def stage_cn(stage: str) -> str:
    return STAGES_CN.get(stage, stage or "未知")


def tier_cn(tier: str) -> str:
    return TIERS_CN.get(tier, tier or "未知")


# Relations that still let a guide look a customer up (read only): one who deleted the guide
# can be looked at by that guide, not written to.
FORMER = ("lost", "removed")


def serves(session: Session, staff: Staff, customer: Customer, *, former: bool = False) -> bool:
    """The guide owns the customer or is one of their active guides (or, with `former`, was)."""
    if customer.guide_id == staff.id:
        return True
    statuses = ("active", *FORMER) if former else ("active",)
    return bool(session.scalar(select(exists().where(
        CustomerGuide.customer_id == customer.id, CustomerGuide.staff_id == staff.id,
        CustomerGuide.status.in_(statuses)))))


def own_customers(staff: Staff, *, former: bool = False):  # type: ignore[no-untyped-def]
    """A condition: customers the guide owns or actively serves (or, with `former`, served)."""
    statuses = ("active", *FORMER) if former else ("active",)
    followed = select(CustomerGuide.customer_id).where(CustomerGuide.staff_id == staff.id,
                                                       CustomerGuide.status.in_(statuses))
    return or_(Customer.guide_id == staff.id, Customer.id.in_(followed))


def find_customer(session: Session, staff: Staff, query: str, *, any_customer: bool = False,
                  former: bool = False) -> Customer:
    """The guide's customer named by `query` (#ref, name or remark); admins (`any_customer`) see all;
    `former` (looking only) includes customers who left the guide.

    Raises NoSuchCustomer, NotYourCustomer, or Ambiguous (with the numbered candidates)."""
    query = query.strip()
    customer_id = parse_ref(query)
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NoSuchCustomer(query)
        if not any_customer and not serves(session, staff, customer, former=former):
            raise NotYourCustomer(customer)
        return customer
    scope = [] if any_customer else [own_customers(staff, former=former)]
    remarks = select(CustomerGuide.customer_id).where(CustomerGuide.remark == query)
    exact = list(session.scalars(select(Customer).where(
        or_(Customer.name == query, Customer.id.in_(remarks)), *scope).order_by(Customer.id).limit(CHOICES)))
    if not exact:
        pattern = f"%{_escape(query)}%"
        remarks = select(CustomerGuide.customer_id).where(CustomerGuide.remark.like(pattern, escape="\\"))
        exact = list(session.scalars(select(Customer).where(
            or_(Customer.name.like(pattern, escape="\\"), Customer.id.in_(remarks)), *scope)
            .order_by(Customer.id).limit(CHOICES)))
    if not exact:
        if not any_customer and _exists_elsewhere(session, query):
            raise GuideError(f"「{query}」不是您的客户，您只能查看和操作自己的客户。")
        raise NoSuchCustomer(query)
    if len(exact) > 1:
        raise Ambiguous(query, exact)
    return exact[0]


def _exists_elsewhere(session: Session, query: str) -> bool:
    return bool(session.scalar(select(exists().where(Customer.name == query))))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
