"""设置与健康: the sending rules in force and how the channels and the outbox are doing, from SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import Callback, Delivery, Message, Task

RECENT = timedelta(hours=24)


@dataclass
class Health:
    settings: dict[str, Any]
    last_callback: dict[str, datetime | None]
    callbacks_failed: int
    errcodes: list[tuple[str, int, int]]        # channel, errcode, count in the last 24 h
    outbox_due: int
    outbox_scheduled: int
    oldest_due: datetime | None
    lateness_seconds: float | None
    tasks_pending: int
    wecom_configured: bool
    mp_configured: bool


def health(session: Session, config: Config, now: datetime) -> Health:
    scheduler = config.scheduler
    last = dict(session.execute(select(Callback.channel, func.max(Callback.received_at))
                                .group_by(Callback.channel)).all())
    failed = session.scalar(select(func.count()).select_from(Callback).where(
        Callback.status.in_(("failed", "dead")))) or 0
    since = now - RECENT
    errcodes = [(str(c or "?"), int(e), int(n)) for c, e, n in session.execute(
        select(Message.channel, Message.errcode, func.count()).where(
            Message.direction == "out", Message.errcode.is_not(None), Message.errcode != 0,
            Message.created_at >= since).group_by(Message.channel, Message.errcode)
        .order_by(func.count().desc()).limit(20))]
    due = session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.status == "scheduled", Delivery.due_at <= now)) or 0
    scheduled = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "scheduled")) or 0
    oldest = session.scalar(select(func.min(Delivery.due_at)).where(Delivery.status == "scheduled",
                                                                    Delivery.due_at <= now))
    pending = session.scalar(select(func.count()).select_from(Task).where(Task.status == "pending",
                                                                          Task.run_at <= now)) or 0
    return Health(
        settings={"时区": scheduler.timezone, "免打扰时段": f"{scheduler.quiet_hours[0]} – {scheduler.quiet_hours[1]}",
                  "每人每天最多": f"{scheduler.cap_per_day} 条", "每人每周最多": f"{scheduler.cap_per_week} 条",
                  "沉睡 / 流失风险 / 流失": f"{scheduler.dormant_days} / {scheduler.churn_risk_days} / "
                                          f"{scheduler.lost_days} 天",
                  "导购日报": scheduler.guide_digest_at or "关闭",
                  "发送检查间隔": f"{scheduler.dispatch_interval_seconds:g} 秒"},
        last_callback={"wecom": last.get("wecom"), "mp": last.get("mp")}, callbacks_failed=failed,
        errcodes=errcodes, outbox_due=due, outbox_scheduled=scheduled, oldest_due=oldest,
        lateness_seconds=(now - oldest).total_seconds() if oldest else None, tasks_pending=pending,
        wecom_configured=config.wecom.configured, mp_configured=config.mp.configured)
