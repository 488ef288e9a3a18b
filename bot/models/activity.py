"""What customers and the bot said, and what customers did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Message(Base):
    """One inbound or outbound message on any channel, with its delivery status."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_customer_created", "customer_id", "created_at"),
        Index("ix_messages_created_at", "created_at"),  # retention and daily figures walk by age
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    # kf | mp | wecom_app | welcome | mp_template | wecom_mass | guide_task
    channel: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(32), default="text")
    content: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    wechat_msgid: Mapped[str | None] = mapped_column(String(128))
    # received | pending | sent | failed
    status: Mapped[str] = mapped_column(String(16))
    errcode: Mapped[int | None]
    errmsg: Mapped[str] = mapped_column(Text, default="")
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]


class Event(Base):
    """A behaviour event: from business systems (API), WeChat callbacks, or Siyu itself."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_customer_type_at", "customer_id", "type", "occurred_at"),
        Index("ix_events_created_at", "created_at"),  # retention walks by age
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(String(16))  # api | wechat | guide | system
    # Given by a business system (POST /api/events); a retried POST finds the event it stored.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]
