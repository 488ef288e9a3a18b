"""Channel codes (渠道活码) made from the console: a WeCom `add_contact_way` with its state and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class ChannelCode(Base):
    """One channel code; customers who add through it arrive with its `state` and get its `tags`."""

    __tablename__ = "channel_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(30), unique=True)
    config_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    qr_code: Mapped[str] = mapped_column(Text, default="")
    # 1: one member (单人码), 2: several taking turns (多人码); WeCom cannot change it later.
    type: Mapped[int] = mapped_column(default=1)
    users: Mapped[list[str]] = mapped_column(default=list)  # the members' WeCom userids
    tags: Mapped[list[str]] = mapped_column(default=list)  # put on every customer who adds through it
    remark: Mapped[str] = mapped_column(String(30), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
