"""A customer as a guide sees them: tags with reasons, stage, tier, notes, the timeline, running
playbooks with their next step, open tasks. One reader for the 「查」 command and the sidebar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.guides.lookup import display_name, ref_of, stage_cn, tier_cn
from bot.models import (
    Customer,
    CustomerNote,
    CustomerTag,
    Delivery,
    Enrolment,
    Event,
    GuideTask,
    Message,
    PlaybookRecord,
    Staff,
    Tag,
)

TIMELINE = 20
LAST_MESSAGES = 5
SOURCES_CN = {"keyword": "关键词", "behaviour": "行为", "manual": "手动", "wecom": "企业微信", "system": "系统"}
EVENTS_CN = {"contact_added": "添加导购", "guide_deleted": "删除了导购", "contact_removed": "被导购删除",
             "stage_changed": "阶段变化", "tag_added": "打标签", "tag_removed": "去标签", "subscribed": "关注公众号",
             "unsubscribed": "取消关注", "opted_out": "退订", "opted_in": "恢复订阅", "referral_added": "推荐了新客户",
             "transferred": "转交导购", "treatment_completed": "治疗完成", "revisit_booked": "预约复诊",
             "class_scheduled": "约课", "order_completed": "成交", "order_paid": "付款"}


@dataclass(frozen=True)
class TagLine:
    name: str
    source: str
    reason: str
    message_id: int | None = None  # the customer message a keyword tag was given from
    message: str = ""

    def text(self) -> str:
        why = self.reason or SOURCES_CN.get(self.source, self.source)
        return f"{self.name}（{why}）"


@dataclass(frozen=True)
class Journey:
    enrolment_id: int
    playbook_id: str
    name: str
    status: str
    next_step: str | None
    next_at: datetime | None


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # in | out | event | note
    text: str


@dataclass
class Profile:
    customer_id: int
    ref: str
    name: str
    stage: str
    tier: str
    guide: str
    external_userid: str | None
    tags: list[TagLine] = field(default_factory=list)
    notes: list[TimelineItem] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    journeys: list[Journey] = field(default_factory=list)
    tasks: list[GuideTask] = field(default_factory=list)

    def text(self, tz: tzinfo) -> str:
        """The 「查」 answer: compact, for a chat message."""
        guide = self.guide or "无"
        lines = [f"{self.name} #{self.ref} · {stage_cn(self.stage)} · 价值{tier_cn(self.tier)} · 导购 {guide}"]
        lines.append("标签：" + ("、".join(t.text() for t in self.tags) if self.tags else "无"))
        if self.notes:
            lines.append(f"备注：{self.notes[0].text}")
        messages = [item for item in self.timeline if item.kind in ("in", "out")][:LAST_MESSAGES]
        if messages:
            lines.append("最近消息：")
            lines += [f"· {_when(m.at, tz)} {m.text}" for m in reversed(messages)]
        running = [j for j in self.journeys if j.status in ("active", "paused")]
        if running:
            lines.append("进行中的剧本：")
            for journey in running:
                paused = "（已暂停）" if journey.status == "paused" else ""
                nxt = (f"，下一步 {_when(journey.next_at, tz)} {journey.next_step}" if journey.next_at
                       else "，没有待发步骤")
                lines.append(f"· {journey.name}{paused}{nxt}")
        if self.tasks:
            lines.append("待跟进任务：")
            lines += [f"· {task.id}. {_snippet(task.text)}" for task in self.tasks]
        return "\n".join(lines)

    def as_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "id": self.customer_id, "ref": self.ref, "name": self.name, "stage": self.stage,
            "stage_cn": stage_cn(self.stage), "tier": self.tier, "tier_cn": tier_cn(self.tier), "guide": self.guide,
            "external_userid": self.external_userid,
            "tags": [{"name": t.name, "source": t.source, "reason": t.reason or SOURCES_CN.get(t.source, ""),
                      "message_id": t.message_id, "message": t.message} for t in self.tags],
            "notes": [{"at": _iso(n.at, tz), "text": n.text} for n in self.notes],
            "timeline": [{"at": _iso(i.at, tz), "kind": i.kind, "text": i.text} for i in self.timeline],
            "journeys": [{"id": j.enrolment_id, "playbook": j.playbook_id, "name": j.name, "status": j.status,
                          "next_step": j.next_step, "next_at": _iso(j.next_at, tz) if j.next_at else None}
                         for j in self.journeys],
            "tasks": [{"id": t.id, "text": t.text, "source": t.source,
                       "due_at": _iso(t.due_at, tz) if t.due_at else None} for t in self.tasks],
        }


def build_profile(session: Session, customer: Customer, staff: Staff | None = None) -> Profile:
    """Everything a guide needs about `customer`; open tasks are the guide's own when `staff` is given."""
    profile = Profile(customer.id, ref_of(customer.id), display_name(customer), customer.stage,
                      customer.value_tier, customer.guide.name if customer.guide else "", customer.external_userid)
    said = (Message.id == CustomerTag.message_id) & (Message.direction == "in") & (Message.msg_type == "text")
    for ct, name, text in session.execute(
            select(CustomerTag, Tag.name, Message.content).join(Tag, CustomerTag.tag_id == Tag.id)
            .outerjoin(Message, said).where(CustomerTag.customer_id == customer.id).order_by(Tag.name)):
        if ct.source == "keyword" and ct.matched:
            reason = "、".join(ct.matched)
        elif ct.source == "behaviour":
            reason = ""  # the rule's condition means nothing to a guide: "行为" says where it came from
        else:
            reason = ct.reason
        from_message = ct.source == "keyword" and text is not None  # 标错了 can label that message
        profile.tags.append(TagLine(name, ct.source, reason, ct.message_id if from_message else None,
                                    text if from_message else ""))
    staff_names = dict(session.execute(select(Staff.id, Staff.name)).all())
    notes = session.scalars(select(CustomerNote).where(CustomerNote.customer_id == customer.id)
                            .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc()).limit(TIMELINE))
    profile.notes = [TimelineItem(n.created_at, "note", f"{n.text}（{staff_names.get(n.staff_id, '')}）")
                     for n in notes]
    profile.timeline = _timeline(session, customer, staff_names) + profile.notes
    profile.timeline.sort(key=lambda item: item.at, reverse=True)
    profile.timeline = profile.timeline[:TIMELINE]
    profile.journeys = journeys(session, customer.id)
    tasks = select(GuideTask).where(GuideTask.customer_id == customer.id, GuideTask.status == "open")
    if staff is not None:
        tasks = tasks.where(GuideTask.staff_id == staff.id)
    profile.tasks = list(session.scalars(tasks.order_by(GuideTask.id)))
    return profile


def _timeline(session: Session, customer: Customer, staff_names: dict[int, str]) -> list[TimelineItem]:
    items = []
    for message in session.scalars(select(Message).where(Message.customer_id == customer.id)
                                   .order_by(Message.created_at.desc(), Message.id.desc()).limit(TIMELINE)):
        if message.direction == "in":
            who = "客户"
        elif message.staff_id:
            who = staff_names.get(message.staff_id, "导购")
        elif message.channel in ("guide_task", "guide_forward", "wecom_app"):
            continue  # what the bot told the guide is not part of the customer's conversation
        else:
            who = "思域"
        items.append(TimelineItem(message.created_at, message.direction, f"{who}：{_snippet(message.content, 60)}"))
    for event in session.scalars(select(Event).where(Event.customer_id == customer.id,
                                                     Event.type.not_in(("tag_added", "tag_removed")))
                                 .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(TIMELINE)):
        items.append(TimelineItem(event.occurred_at, "event", _event_text(event)))
    return items


def _event_text(event: Event) -> str:
    label = EVENTS_CN.get(event.type, event.type)
    data = event.data or {}
    if event.type == "stage_changed":
        return f"{label}：{stage_cn(str(data.get('from', '')))} → {stage_cn(str(data.get('to', '')))}"
    details = "，".join(f"{k}={v}" for k, v in data.items() if k not in ("guide", "state") and v not in (None, ""))
    return f"{label}{'：' + details if details else ''}"


def journeys(session: Session, customer_id: int) -> list[Journey]:
    """The customer's active or paused playbooks, with their next scheduled step."""
    rows = session.execute(select(Enrolment, PlaybookRecord.name)
                           .join(PlaybookRecord, PlaybookRecord.id == Enrolment.playbook_id)
                           .where(Enrolment.customer_id == customer_id, Enrolment.status.in_(("active", "paused")))
                           .order_by(Enrolment.id))
    found = []
    for enrolment, name in rows:
        next_row = session.execute(select(Delivery.step_id, func.min(Delivery.due_at))
                                   .where(Delivery.enrolment_id == enrolment.id,
                                          Delivery.status.in_(("scheduled", "paused")))
                                   .group_by(Delivery.step_id).order_by(func.min(Delivery.due_at)).limit(1)).first()
        found.append(Journey(enrolment.id, enrolment.playbook_id, name or enrolment.playbook_id, enrolment.status,
                             next_row[0] if next_row else None, next_row[1] if next_row else None))
    return found


def _when(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%m-%d %H:%M") if at else ""


def _iso(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).isoformat(timespec="minutes")


def _snippet(text: str, limit: int = 30) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
