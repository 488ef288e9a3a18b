"""Deleting history past its age, a small batch per short transaction, figures rolled up first.

Each table is swept by id batches (`DELETE ... WHERE id IN (SELECT id ... LIMIT n)`) found
through an index on the row's age, so one batch costs the same at any size and the write lock
is held for milliseconds. Before any message of a day goes, that day's counts (messages in and
out, distinct customers) are written to `daily_message_counts`, once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, delete, func, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import RetentionConfig
from bot.db import Database
from bot.models import Callback, CronFire, DailyMessageCount, Delivery, Event, Message, Task

logger = logging.getLogger(__name__)

FINAL_DELIVERIES = ("sent", "failed", "skipped", "cancelled")
FINISHED_TASKS = ("done", "failed")
# Between two batches on SQLite: a webhook waiting for the write lock gets it first.
BATCH_PAUSE_SECONDS = 0.02
# One run deletes at most this many batches per table; the next run goes on.
MAX_BATCHES = 200


@dataclass
class SweepReport:
    deleted: dict[str, int] = field(default_factory=dict)
    days_rolled_up: int = 0


class Retention:
    def __init__(self, db: Database, settings: RetentionConfig, clock: Clock, tz: ZoneInfo,
                 max_batches: int = MAX_BATCHES) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.tz = tz
        self.max_batches = max_batches

    def run(self) -> SweepReport:
        """One sweep of every table; returns what it deleted."""
        now, s = self.clock.now(), self.settings
        report = SweepReport()
        report.days_rolled_up = self.roll_up_messages(now - timedelta(days=s.messages_days))
        sweeps: list[tuple[str, Any, list[ColumnElement[bool]]]] = [
            ("callbacks", Callback, [Callback.status == "processed",
                                     Callback.received_at < now - timedelta(days=s.callbacks_days)]),
            ("messages", Message, [Message.created_at < self._messages_cutoff(now)]),
            ("events", Event, [Event.created_at < now - timedelta(days=s.events_days),
                               Event.type.not_in(s.keep_event_types)]),
            ("tasks", Task, [Task.status.in_(FINISHED_TASKS), Task.run_at < now - timedelta(days=s.tasks_days),
                             Task.finished_at < now - timedelta(days=s.tasks_days)]),
            ("cron_fires", CronFire, [CronFire.fire_time < now - timedelta(days=s.tasks_days),
                                      CronFire.finished_at.is_not(None)]),
            ("deliveries", Delivery, [Delivery.status.in_(FINAL_DELIVERIES),
                                      Delivery.due_at < now - timedelta(days=s.deliveries_days),
                                      Delivery.updated_at < now - timedelta(days=s.deliveries_days)]),
        ]
        for name, model, where in sweeps:
            count = self.delete_in_batches(model.__table__, where)
            if count:
                report.deleted[name] = count
        if report.deleted:
            logger.info("retention deleted %s", ", ".join(f"{n} {name}" for name, n in report.deleted.items()))
        return report

    # -- deleting ---------------------------------------------------------------------------------

    def delete_in_batches(self, table: Table, where: list[ColumnElement[bool]]) -> int:
        """Delete the rows matching `where`, `batch_size` per transaction; returns how many."""
        size, total = self.settings.batch_size, 0
        for _ in range(self.max_batches):
            chosen = select(table.c.id).where(*where).limit(size)
            with self.db.session() as session:
                deleted = session.execute(delete(table).where(table.c.id.in_(chosen))
                                          .execution_options(synchronize_session=False)).rowcount or 0
            total += deleted
            if deleted < size:
                break
            if self.db.is_sqlite:
                time.sleep(BATCH_PAUSE_SECONDS)
        return total

    # -- daily figures ------------------------------------------------------------------------------

    def _messages_cutoff(self, now: datetime) -> datetime:
        """Messages go by whole local days, so a day's rollup counts all of it."""
        return self._day_start(self._local_day(now - timedelta(days=self.settings.messages_days)))

    def roll_up_messages(self, before: datetime) -> int:
        """Count each whole local day before `before` that still has messages and no rollup yet."""
        last_day = self._local_day(before) - timedelta(days=1)
        rolled = 0
        with self.db.read_session() as session:
            first = session.scalar(select(func.min(Message.created_at)))
            done = set(session.scalars(select(DailyMessageCount.day).where(DailyMessageCount.day <= last_day)))
        if first is None:
            return 0
        day = self._local_day(first)
        while day <= last_day:
            if day not in done:
                with self.db.session() as session:
                    rolled += self._roll_up_day(session, day)
            day += timedelta(days=1)
        return rolled

    def _roll_up_day(self, session: Session, day: date) -> int:
        start, end = self._day_start(day), self._day_start(day + timedelta(days=1))
        counts = session.execute(
            select(Message.direction, func.count(), func.count(func.distinct(Message.customer_id)))
            .where(Message.created_at >= start, Message.created_at < end).group_by(Message.direction)).all()
        session.add_all(DailyMessageCount(day=day, direction=direction, messages=messages, customers=customers)
                        for direction, messages, customers in counts)
        return 1 if counts else 0

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _day_start(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)
