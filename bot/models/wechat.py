"""What the bot keeps about its own sending to WeChat: app messages counted per member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class AppMessage(Base):
    """One app message to a staff member, counted against WeChat's per-member limits.

    A message sent at once is counted (`counted_at`) when it goes out; one over the limit is
    `held` and later `merged` into a digest row (`digest_id`), which is counted when it goes out.
    """

    __tablename__ = "app_messages"
    __table_args__ = (
        Index("ix_app_messages_userid_counted", "userid", "counted_at"),
        Index("ix_app_messages_userid_status", "userid", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # what it is for: wecom_app, guide_task, digest...
    content: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    # held | sending | sent | failed | unknown | merged
    status: Mapped[str] = mapped_column(String(16))
    counted_at: Mapped[datetime | None]
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("app_messages.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
