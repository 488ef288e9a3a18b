"""Deleting history past its age, a small batch per short transaction, figures rolled up first.

Each table is swept by id batches (`DELETE ... WHERE id IN (SELECT id ... LIMIT n)`) found
through an index on the row's age, so one batch costs the same at any size and the write lock
is held for milliseconds. Before any message of a day goes, that day's figures are in the daily
rollups (bot/analytics/rollups.py), so the console's numbers stay right after the rows are gone.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, delete, select

from bot.analytics.rollups import DailyRollups
from bot.clock import Clock
from bot.config import RetentionConfig
from bot.db import Database
from bot.models import Callback, CronFire, Delivery, Event, Message, Task

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
                 max_batches: int = MAX_BATCHES, rollups: DailyRollups | None = None) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.tz = tz
        self.max_batches = max_batches
        self.rollups = rollups or DailyRollups(db, clock, tz, settings)

    def run(self) -> SweepReport:
        """One sweep of every table; returns what it deleted."""
        now, s = self.clock.now(), self.settings
        report = SweepReport()
        # Every day this sweep may touch is in the rollups first: messages go by whole local days,
        # deliveries by age (a sent delivery's day is at most the day of its cutoff).
        last_day = max(self._local_day(self._messages_cutoff(now)) - timedelta(days=1),
                       self._local_day(now - timedelta(days=s.deliveries_days)))
        report.days_rolled_up = self.rollups.ensure_through(last_day)
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

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _day_start(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)
