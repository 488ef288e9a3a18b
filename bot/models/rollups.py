"""Small daily figures kept after the rows they count are deleted by retention."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class DailyMessageCount(Base):
    """Messages of one local day in one direction, counted before retention deleted them."""

    __tablename__ = "daily_message_counts"

    day: Mapped[date] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)  # in | out
    messages: Mapped[int] = mapped_column(default=0)
    customers: Mapped[int] = mapped_column(default=0)  # distinct customers with a message that day
