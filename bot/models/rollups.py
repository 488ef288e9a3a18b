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


class PlaybookReportDay(Base):
    """剧本效果's counts for the enrolments one playbook took in on one local day, by kind:

    - enrolment: enrolments by `status`; `variant` is "holdout" for those held out, else "";
    - delivery: deliveries by `step_id` and `status` (`errcode` of the failed ones), with how many
      got a reply (`replied`) and a click on a tracked link (`clicked`);
    - arm: enrolments with a delivery of `step_id` in A/B arm `variant`, and `converted`: those
      deliveries whose enrolment converted;
    - feedback: 想了解 answers (`status` = the option) under `step_id`, by the day of the answer.

    Kept by bot/analytics/playbook_rollups.py: a day is recomputed whenever one of its enrolments,
    their deliveries or clicks change, however long after the day.
    """

    __tablename__ = "playbook_report_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    playbook_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    variant: Mapped[str] = mapped_column(String(64), primary_key=True)
    errcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    rows: Mapped[int] = mapped_column(default=0)
    replied: Mapped[int] = mapped_column(default=0)
    clicked: Mapped[int] = mapped_column(default=0)
    converted: Mapped[int] = mapped_column(default=0)
