"""Daily figures per local day, kept by the rollups job (bot/analytics/rollups.py) and kept after
retention deletes the rows they count."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class DailyMessageCount(Base):
    """Messages of one local day in one direction."""

    __tablename__ = "daily_message_counts"

    day: Mapped[date] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)  # in | out
    messages: Mapped[int] = mapped_column(default=0)
    customers: Mapped[int] = mapped_column(default=0)  # distinct customers with a message that day


class DailyActiveCustomer(Base):
    """A customer who wrote to us (an inbound message on any channel) on one local day."""

    __tablename__ = "daily_active_customers"
    __table_args__ = (Index("ix_daily_active_customers_customer_day", "customer_id", "day"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    # No foreign key: the figure of a day stays whatever happens to the customer later.
    customer_id: Mapped[int] = mapped_column(primary_key=True)
    messages: Mapped[int] = mapped_column(default=0)


class DailyChannelResponse(Base):
    """Playbook deliveries sent on one local day over one channel, and how many got a reply or a
    click within 48 h."""

    __tablename__ = "daily_channel_responses"

    day: Mapped[date] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    sent: Mapped[int] = mapped_column(default=0)
    responded: Mapped[int] = mapped_column(default=0)
