"""Customers as the console shows them: filtered, paged and scoped to what the viewer may see."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.console.accounts import Identity
from bot.feedback.buttons import link_option
from bot.models import (Customer, CustomerGuide, CustomerTag, Delivery, Enrolment, Event, GuideTask, LinkClick,
                        Message, Staff, Tag, TrackedLink)

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
EXPORT_BATCH = 1000
STAGES = ("new", "active", "dormant", "churn_risk", "lost")
STAGE_LABELS = {"new": "新客", "active": "活跃", "dormant": "沉睡", "churn_risk": "流失风险", "lost": "已流失"}
TIERS = ("high", "medium", "low")  # as bot.tagging.behaviour writes them
TIER_LABELS = {"high": "高价值", "medium": "中价值", "low": "普通"}


class NotVisible(Exception):
    """The customer does not exist, or the viewer may not see them (guides see only their own)."""


@dataclass(frozen=True)
class CustomerFilter:
    """What the 客户 list is narrowed to; every field optional."""

    tag: str = ""
    stage: str = ""
    tier: str = ""
    guide: str = ""          # a guide's WeCom userid
    channel: str = ""        # the channel code (state) the customer added a guide with
    text: str = ""           # name or an identity, a substring
    active_days: int | None = None   # active within the last N days
    inactive_days: int | None = None  # quiet for at least N days

    @classmethod
    def from_args(cls, args: Any) -> CustomerFilter:
        def days(name: str) -> int | None:
            raw = (args.get(name) or "").strip()
            return int(raw) if raw.isdigit() and int(raw) <= 3650 else None
        return cls(tag=(args.get("tag") or "").strip(), stage=(args.get("stage") or "").strip(),
                   tier=(args.get("tier") or "").strip(), guide=(args.get("guide") or "").strip(),
                   channel=(args.get("channel") or "").strip(), text=(args.get("q") or "").strip()[:64],
                   active_days=days("active_days"), inactive_days=days("inactive_days"))

    def as_args(self) -> dict[str, Any]:
        args = {"tag": self.tag, "stage": self.stage, "tier": self.tier, "guide": self.guide,
                "channel": self.channel, "q": self.text, "active_days": self.active_days,
                "inactive_days": self.inactive_days}
        return {k: v for k, v in args.items() if v not in ("", None)}


@dataclass
class TimelineItem:
    at: datetime
    kind: str      # message_in | message_out | event | delivery | click | task
    title: str
    text: str = ""
    status: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def visible(query: Select[Any], viewer: Identity) -> Select[Any]:
    """Narrow a query over customers to what this viewer may see."""
    if viewer.is_guide:
        return query.where(Customer.guide_id == (viewer.staff_id if viewer.staff_id is not None else -1))
    return query


class CustomerDirectory:
    def __init__(self, session: Session, clock: Clock, viewer: Identity) -> None:
        self.session = session
        self.clock = clock
        self.viewer = viewer

    def _filtered(self, flt: CustomerFilter) -> Select[Any]:
        query = visible(select(Customer.id), self.viewer)
        if flt.tag:
            query = query.where(Customer.id.in_(
                select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id).where(Tag.name == flt.tag)))
        if flt.stage:
            query = query.where(Customer.stage == flt.stage)
        if flt.tier:
            query = query.where(Customer.value_tier == flt.tier)
        if flt.guide:
            query = query.where(Customer.guide_id.in_(select(Staff.id).where(Staff.userid == flt.guide)))
        if flt.channel:
            query = query.where(Customer.id.in_(
                select(CustomerGuide.customer_id).where(CustomerGuide.state == flt.channel)))
        if flt.text:
            pattern = f"%{flt.text.replace('%', '').replace('_', '')}%"
            query = query.where(or_(Customer.name.like(pattern), Customer.external_userid.like(pattern),
                                    Customer.openid.like(pattern), Customer.unionid.like(pattern)))
        now = self.clock.now()
        if flt.active_days is not None:
            query = query.where(Customer.last_active_at >= now - timedelta(days=flt.active_days))
        if flt.inactive_days is not None:
            cutoff = now - timedelta(days=flt.inactive_days)
            query = query.where(or_(Customer.last_active_at.is_(None), Customer.last_active_at < cutoff))
        return query

    def count(self, flt: CustomerFilter) -> int:
        return self.session.scalar(select(func.count()).select_from(self._filtered(flt).subquery())) or 0

    def page(self, flt: CustomerFilter, page: int = 1, size: int = PAGE_SIZE) -> list[Customer]:
        ids = self._filtered(flt).order_by(Customer.last_active_at.desc().nulls_last(), Customer.id.desc())
        ids = ids.limit(size).offset((max(page, 1) - 1) * size)
        rows = self.session.scalars(select(Customer).where(Customer.id.in_(ids.subquery().select()))
                                    .order_by(Customer.last_active_at.desc().nulls_last(), Customer.id.desc()))
        return list(rows.unique())

    def ids(self, flt: CustomerFilter) -> list[int]:
        return list(self.session.scalars(self._filtered(flt).order_by(Customer.id)))

    def export_rows(self, flt: CustomerFilter) -> Iterator[list[str]]:
        """The filtered list as CSV rows, batch by batch (never the whole base in memory)."""
        yield ["id", "姓名", "external_userid", "openid", "unionid", "导购", "阶段", "价值", "生日", "标签",
               "首次接触", "最近活跃", "已退订"]
        last_id = 0
        while True:
            ids = self._filtered(flt).where(Customer.id > last_id).order_by(Customer.id).limit(EXPORT_BATCH)
            batch = list(self.session.scalars(select(Customer).where(Customer.id.in_(ids.subquery().select()))
                                              .order_by(Customer.id)).unique())
            if not batch:
                return
            for c in batch:
                yield [str(c.id), c.name, c.external_userid or "", c.openid or "", c.unionid or "",
                       c.guide.userid if c.guide else "", c.stage, c.value_tier,
                       c.birthday.isoformat() if c.birthday else "", " ".join(c.tag_names),
                       c.first_seen_at.isoformat(), c.last_active_at.isoformat() if c.last_active_at else "",
                       "是" if c.opted_out else ""]
            last_id = batch[-1].id
            self.session.expunge_all()

    def get(self, customer_id: int) -> Customer:
        """The customer if the viewer may see them, else NotVisible (a guide gets the same 404 for both)."""
        customer = self.session.scalar(visible(select(Customer), self.viewer).where(Customer.id == customer_id))
        if customer is None:
            raise NotVisible(customer_id)
        return customer

    def options(self) -> dict[str, list[str]]:
        """Values the filter drop-downs offer."""
        guides = visible(select(Staff.userid).join(Customer, Customer.guide_id == Staff.id), self.viewer)
        return {
            "tags": list(self.session.scalars(select(Tag.name).order_by(Tag.name))),
            "guides": list(self.session.scalars(guides.distinct().order_by(Staff.userid))),
            "channels": list(self.session.scalars(
                select(CustomerGuide.state).where(CustomerGuide.state.is_not(None)).distinct()
                .order_by(CustomerGuide.state))),
        }

    # -- detail ------------------------------------------------------------------------------

    def timeline(self, customer: Customer, limit: int = 200) -> list[TimelineItem]:
        """Messages, events, deliveries, clicks and tasks, newest first."""
        items: list[TimelineItem] = []
        for m in self.session.scalars(select(Message).where(Message.customer_id == customer.id)
                                      .order_by(Message.created_at.desc()).limit(limit)):
            items.append(TimelineItem(m.created_at, f"message_{m.direction}",
                                      f"{'收到' if m.direction == 'in' else '发出'} · {m.channel}", m.content,
                                      m.status, {"errcode": m.errcode} if m.errcode else {}))
        for e in self.session.scalars(select(Event).where(Event.customer_id == customer.id)
                                      .order_by(Event.occurred_at.desc()).limit(limit)):
            items.append(_feedback_item(e) if e.type == "feedback_clicked" else
                         TimelineItem(e.occurred_at, "event", f"事件 · {e.type}", _short(e.data), e.source))
        for d in self.session.scalars(select(Delivery).where(Delivery.customer_id == customer.id)
                                      .order_by(Delivery.due_at.desc()).limit(limit)):
            detail: dict[str, Any] = {"channel": d.channel or "", "variant": d.variant or ""}
            if d.errcode:
                detail["errcode"] = d.errcode
            if d.replied_at:
                detail["replied_at"] = d.replied_at
            items.append(TimelineItem(d.sent_at or d.due_at, "delivery", f"剧本 {d.playbook_id} · {d.step_id}",
                                      d.last_error, d.status, detail))
        clicks = (select(LinkClick.created_at, TrackedLink.url, Delivery.playbook_id, Delivery.step_id)
                  .join(TrackedLink, TrackedLink.id == LinkClick.link_id)
                  .join(Delivery, Delivery.id == TrackedLink.delivery_id)
                  .where(Delivery.customer_id == customer.id).order_by(LinkClick.created_at.desc()).limit(limit))
        for at, url, playbook_id, step_id in self.session.execute(clicks):
            if link_option(url) is not None:  # a feedback button: its answer is shown as such
                continue
            items.append(TimelineItem(at, "click", f"点击链接 · {playbook_id} · {step_id}", url))
        for t in self.session.scalars(select(GuideTask).where(GuideTask.customer_id == customer.id)
                                      .order_by(GuideTask.created_at.desc()).limit(limit)):
            items.append(TimelineItem(t.created_at, "task", f"导购任务 · {t.source}", t.text, t.status))
        items.sort(key=lambda item: item.at, reverse=True)
        return items[:limit]

    def running_playbooks(self, customer: Customer) -> list[tuple[Enrolment, list[Delivery]]]:
        enrolments = list(self.session.scalars(select(Enrolment).where(
            Enrolment.customer_id == customer.id, Enrolment.status == "active").order_by(Enrolment.id)))
        result = []
        for enrolment in enrolments:
            upcoming = list(self.session.scalars(select(Delivery).where(
                and_(Delivery.enrolment_id == enrolment.id, Delivery.status == "scheduled"))
                .order_by(Delivery.due_at)))
            result.append((enrolment, upcoming))
        return result

    def tags(self, customer: Customer) -> list[CustomerTag]:
        return sorted(customer.tags, key=lambda ct: ct.tag.name)


def parse_birthday(raw: str) -> date | None:
    """`YYYY-MM-DD` (or empty for none); ValueError with a message in Chinese otherwise."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"生日格式应为 YYYY-MM-DD，而不是 {raw!r}") from None


def _feedback_item(event: Event) -> TimelineItem:
    """A click on a feedback button: the answer, and the playbook step it answers."""
    data = event.data or {}
    how = "微信客服菜单" if data.get("channel") == "kf" else "链接"
    return TimelineItem(event.occurred_at, "feedback", f"反馈 · {data.get('label', '')}",
                        f"剧本 {data.get('playbook', '')} · {data.get('step', '')}（{how}）")


def _short(data: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v}" for k, v in data.items())
    return text if len(text) <= 200 else text[:199] + "…"
