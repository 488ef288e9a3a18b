"""Durable plumbing: callbacks received, follow-up tasks, kf cursors, shared key/values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Callback(Base):
    """Every accepted push, stored before the ack; `dedupe_key` makes WeChat's retries harmless."""

    __tablename__ = "callbacks"
    __table_args__ = (
        Index("ix_callbacks_status_received", "status", "received_at"),
        Index("ix_callbacks_status_next_attempt", "status", "next_attempt_at"),
        # a customer's waiting callbacks, in order (the processor's per-customer check on PostgreSQL)
        Index("ix_callbacks_waiting_customer_key_id", "customer_key", "id",
              sqlite_where=text("status = 'received'"), postgresql_where=text("status = 'received'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # wecom | mp
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(96))  # text, event:subscribe, event:change_external_contact:add...
    body: Mapped[str] = mapped_column(Text)  # the decrypted XML
    # the customer it is about (channel:sender), so that one customer's pushes are handled in order
    customer_key: Mapped[str] = mapped_column(String(160), default="")
    # received | processed | failed (retried at next_attempt_at) | dead (gave up: see error)
    status: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    reply: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class Task(Base):
    """Work that calls out to WeChat, queued in the same transaction that decided it."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_status_run_at", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # pending | running | done | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    run_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class KfCursor(Base):
    """Where `kf/sync_msg` left off for one customer-service account."""

    __tablename__ = "kf_cursors"

    open_kfid: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime]


class SharedValue(Base):
    """Values every process must agree on, such as WeChat access tokens."""

    __tablename__ = "shared_values"

    key: Mapped[str] = mapped_column(String(190), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
