"""Daily rollups: the dashboard's per-day figures, computed once per local day by a scheduler job.

- daily_message_counts: messages in and out per day, and how many customers they involved;
- daily_active_customers: one row per customer and day they wrote to us (DAU, MAU, retention);
- daily_channel_responses: playbook sends per day and channel, and how many got a reply or a
  click within 48 h.

Each run computes every whole local day after the last one computed, up to yesterday, and
recomputes the last RECENT_DAYS days, which can still change (a reply or a click counts for 48 h
after a send). Up to CHUNK_DAYS days are computed in one transaction, one INSERT ... SELECT per
table grouped by day: their rows are deleted and inserted again from the raw rows, so a run
repeated or interrupted leaves the same figures. The last day computed is
kept in shared_values; the dashboard reads the rollups up to it and the raw rows after it.
Retention calls `ensure_through` before it deletes a day, and a day whose rows retention may have
begun to delete is never recomputed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from bot.analytics.playbook_rollups import PlaybookRollups
from bot.analytics.sqltime import SqlTime
from bot.clock import Clock
from bot.config import RetentionConfig
from bot.db import Database
from bot.models import (DailyActiveCustomer, DailyChannelResponse, DailyMessageCount, Delivery, LinkClick, Message,
                        SharedValue, TrackedLink)

logger = logging.getLogger(__name__)

RECENT_DAYS = 3  # today's run recomputes yesterday and the two days before (48 h response window)
RESPONSE_WINDOW_DAYS = 2  # a reply or click within 48 h of a delivery counts as a response
CHUNK_DAYS = 31  # days computed in one transaction (the first run computes every day of the history)
THROUGH_KEY = "analytics:rollups_through"


def rollups_through(session: Session) -> date | None:
    """The last local day the rollups hold; later days are read from the raw rows."""
    value = session.scalar(select(SharedValue.value).where(SharedValue.key == THROUGH_KEY))
    return date.fromisoformat(value) if value else None


def response_clause(sql: SqlTime) -> Any:
    """A sent delivery got a reply or a link click within RESPONSE_WINDOW_DAYS of its send."""
    clicked = exists(select(LinkClick.id).join(TrackedLink, TrackedLink.id == LinkClick.link_id).where(
        TrackedLink.delivery_id == Delivery.id,
        sql.days_between(Delivery.sent_at, LinkClick.created_at) <= RESPONSE_WINDOW_DAYS))
    replied = and_(Delivery.replied_at.is_not(None),
                   sql.days_between(Delivery.sent_at, Delivery.replied_at) <= RESPONSE_WINDOW_DAYS)
    return or_(replied, clicked)


class DailyRollups:
    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo, retention: RetentionConfig | None = None) -> None:
        self.db = db
        self.clock = clock
        self.sql = SqlTime(db.engine.dialect.name, tz)
        self.tz = tz
        self.retention = retention
        self.playbooks = PlaybookRollups(db, self.sql)

    def run(self) -> int:
        """The scheduler job: days not yet computed up to yesterday, and the recent days again."""
        yesterday = self._local_day(self.clock.now()) - timedelta(days=1)
        self.playbooks.run(yesterday, self._oldest_whole_day())
        with self.db.read_session() as session:
            through, first = rollups_through(session), self._first_day(session)
        if first is None:
            return 0
        # The days after the last computed one, and the recent days that can still change.
        start = first if through is None else min(through + timedelta(days=1),
                                                  yesterday - timedelta(days=RECENT_DAYS - 1))
        return self._compute(max(start, first, self._oldest_whole_day()), yesterday)

    def ensure_through(self, last_day: date) -> int:
        """Compute every day up to `last_day` not computed yet (retention, before deleting those days)."""
        self.playbooks.run(last_day, self._oldest_whole_day())
        with self.db.read_session() as session:
            through, first = rollups_through(session), self._first_day(session)
        if first is None or (through is not None and through >= last_day):
            return 0
        return self._compute(first if through is None else through + timedelta(days=1), last_day)

    # -- computing ----------------------------------------------------------------------------

    def _compute(self, start: date, end: date) -> int:
        days = 0
        day = start
        while day <= end:
            last = min(day + timedelta(days=CHUNK_DAYS - 1), end)
            with self.db.session() as session:
                self._compute_days(session, day, last)
                self._advance(session, last)
            days += (last - day).days + 1
            day = last + timedelta(days=1)
        if days:
            logger.info("daily rollups: %d day(s) from %s to %s", days, start, end)
        return days

    def _compute_days(self, session: Session, start: date, end: date) -> None:
        """The rows of the days from `start` to `end`, each statement grouped by day (one transaction)."""
        since, until = self.sql.range_utc(start, end)
        for model in (DailyMessageCount, DailyActiveCustomer, DailyChannelResponse):
            session.execute(delete(model).where(model.day >= start, model.day <= end))
        # Grouped in an outer query: PostgreSQL matches a GROUP BY expression with bound
        # parameters (the time zone) only by label.
        messages = select(self.sql.local_date(Message.created_at).label("day"), Message.direction,
                          Message.customer_id).where(Message.created_at >= since, Message.created_at < until).subquery()
        session.execute(insert(DailyMessageCount).from_select(
            ["day", "direction", "messages", "customers"],
            select(messages.c.day, messages.c.direction, func.count(),
                   func.count(func.distinct(messages.c.customer_id)))
            .group_by(messages.c.day, messages.c.direction)))
        session.execute(insert(DailyActiveCustomer).from_select(
            ["day", "customer_id", "messages"],
            select(messages.c.day, messages.c.customer_id, func.count())
            .where(messages.c.direction == "in", messages.c.customer_id.is_not(None))
            .group_by(messages.c.day, messages.c.customer_id)))
        sends = select(self.sql.local_date(Delivery.sent_at).label("day"),
                       func.coalesce(Delivery.channel, "?").label("channel"),
                       case((response_clause(self.sql), 1), else_=0).label("responded")) \
            .where(Delivery.status == "sent", Delivery.sent_at >= since, Delivery.sent_at < until).subquery()
        session.execute(insert(DailyChannelResponse).from_select(
            ["day", "channel", "sent", "responded"],
            select(sends.c.day, sends.c.channel, func.count(), func.sum(sends.c.responded))
            .group_by(sends.c.day, sends.c.channel)))

    def _advance(self, session: Session, day: date) -> None:
        current = session.get(SharedValue, THROUGH_KEY)
        if current is None:
            session.add(SharedValue(key=THROUGH_KEY, value=day.isoformat(), updated_at=self.clock.now()))
        elif not current.value or date.fromisoformat(current.value) < day:
            current.value, current.updated_at = day.isoformat(), self.clock.now()

    # -- bounds -------------------------------------------------------------------------------

    def _first_day(self, session: Session) -> date | None:
        firsts = [session.scalar(select(func.min(Message.created_at))),
                  session.scalar(select(func.min(Delivery.sent_at)).where(Delivery.status == "sent"))]
        moments = [m for m in firsts if m is not None]
        return self._local_day(min(moments)) if moments else None

    def _oldest_whole_day(self) -> date:
        """The oldest day retention has surely not begun to delete (rows of older days may be gone)."""
        if self.retention is None or not self.retention.enabled:
            return date.min
        keep = min(self.retention.messages_days, self.retention.deliveries_days)
        return self._local_day(self.clock.now() - timedelta(days=keep)) + timedelta(days=1)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()
