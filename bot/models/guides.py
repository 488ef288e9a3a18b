"""What guides do with customers: forwards and their answers, notes, commands, referral codes, transfers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class GuideForward(Base):
    """A customer's message forwarded to a guide, with its suggestions and when it was answered.

    `status`: pending (queued) | sent | merged (went out inside a digest, over the app-message
    limit) | failed. `exempt`: the message needs no answer (谢谢, 好的...), so it is not timed.
    """

    __tablename__ = "guide_forwards"
    __table_args__ = (Index("ix_guide_forwards_staff_customer", "staff_id", "customer_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")  # the app message as composed
    suggestions: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    exempt: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    response_seconds: Mapped[int | None]  # working-hours seconds from received_at to answered_at
    created_at: Mapped[datetime]


class GuideAction(Base):
    """Every command a guide gave (app, sidebar, CLI): who, what, about whom, with what outcome."""

    __tablename__ = "guide_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    command: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")  # ok | denied | invalid | failed
    via: Mapped[str] = mapped_column(String(16), default="app")  # app | sidebar | cli
    created_at: Mapped[datetime]


class CustomerNote(Base):
    """A guide's note about a customer (备注), shown in the profile and the timeline."""

    __tablename__ = "customer_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ReferralCode(Base):
    """A customer's own channel code (推荐码): whoever adds through it was referred by them."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(32), unique=True)
    config_id: Mapped[str] = mapped_column(String(64), default="")
    qr_code: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class CustomerTransfer(Base):
    """A customer handed from one guide to another: while employed (在职转接) or after leaving (离职继承).

    `status`: waiting (WeCom's 24 h for the customer to refuse) | done | refused | limit (transferred
    too often) | failed (the call was refused, `errcode`).
    """

    __tablename__ = "customer_transfers"
    __table_args__ = (Index("ix_customer_transfers_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    from_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    to_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(16))  # employed | resigned
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    errcode: Mapped[int | None]
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
