"""Staff members (guides), customers with one identity across channels, and who serves whom."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base


class Staff(Base):
    """A WeCom member; the guides (导购/顾问) who own customer relations."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Customer(Base):
    """One person, whichever channel they reach us through; `unionid` joins WeCom and MP."""

    __tablename__ = "customers"
    __table_args__ = (
        # Only the few stale customers are in it: the settling job finds them at any size.
        Index("ix_customers_profile_stale", "profile_stale", sqlite_where=text("profile_stale = 1"),
              postgresql_where=text("profile_stale")),
        # A merged customer's id is never handed out again (SQLite would reuse the highest id): an
        # external system holding the old id must never reach a different person.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    external_userid: Mapped[str | None] = mapped_column(String(64), unique=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), unique=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16), default="new", index=True)
    value_tier: Mapped[str] = mapped_column(String(8), default="low", index=True)
    opted_out: Mapped[bool] = mapped_column(default=False)
    birthday: Mapped[date | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)  # cohorts and new customers by day
    last_active_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set by a message; stage, tier and behaviour tags are then recomputed by a batch job.
    profile_stale: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    guide: Mapped[Staff | None] = relationship(lazy="joined")
    # Loaded when used (tagging, the API), not with every lookup of a customer.
    tags: Mapped[list["CustomerTag"]] = relationship(  # noqa: F821 - defined in bot.models.tags
        back_populates="customer", cascade="all, delete-orphan", lazy="select"
    )

    @property
    def tag_names(self) -> list[str]:
        return sorted(ct.tag.name for ct in self.tags)


class CustomerGuide(Base):
    """A customer added a guide in WeCom; `state` is the channel code (渠道活码) that brought them."""

    __tablename__ = "customer_guides"
    __table_args__ = (UniqueConstraint("customer_id", "staff_id"),
                      # The 渠道活码 page counts adds per code over a date range.
                      Index("ix_customer_guides_state_added", "state", "added_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    state: Mapped[str | None] = mapped_column(String(64))
    # active | lost (customer deleted the guide) | removed (guide deleted the customer)
    status: Mapped[str] = mapped_column(String(16), default="active")
    remark: Mapped[str] = mapped_column(String(128), default="")
    added_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    staff: Mapped[Staff] = relationship(lazy="joined")
