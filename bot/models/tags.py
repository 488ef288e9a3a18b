"""Tags, the evidence for each tag a customer carries, and the tags an operator says a message should get."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base
from bot.models.people import Customer


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    group: Mapped[str] = mapped_column(String(64), default="")
    wecom_tag_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class CustomerTag(Base):
    """A tag on a customer with why it is there: source, rule, matched words, message."""

    __tablename__ = "customer_tags"
    __table_args__ = (UniqueConstraint("customer_id", "tag_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    # keyword | behaviour | manual | wecom | system
    source: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(128), default="")
    matched: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]
    synced_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)  # a tag with a lifetime (已续卡 this cycle)

    customer: Mapped[Customer] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship(lazy="joined")


class MessageLabel(Base):
    """The tags an operator says one customer message should get (标注): what the rules are scored on."""

    __tablename__ = "message_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # sorted; empty: no tag is right
    labelled_by: Mapped[str] = mapped_column(String(64))
    labelled_at: Mapped[datetime]
