"""The daily rollups give the dashboard the same numbers as the raw rows, on SQLite and PostgreSQL;
the job is idempotent and incremental, and the numbers survive retention deleting the rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from bot.analytics.dashboard import Dashboard, DateRange
from bot.analytics.rollups import RECENT_DAYS, DailyRollups, rollups_through
from bot.clock import FrozenClock
from bot.config import RetentionConfig
from bot.console.views.dashboard import dashboard_data
from bot.db import Database
from bot.models import (Customer, DailyActiveCustomer, DailyChannelResponse, DailyMessageCount, Delivery, Message,
                        Staff)
from bot.retention.sweep import Retention
from tests.analytics.support import AS_OF, NOVEMBER, SH, seed_hand_made, sh

PERIODS = [NOVEMBER, DateRange(date(2026, 10, 15), date(2026, 12, 30)),
           DateRange(date(2026, 11, 9), date(2026, 11, 9))]


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = seed_hand_made(database_url)
    yield database
    database.dispose()


def figures(db: Database, period: DateRange = NOVEMBER, staff: str | None = None) -> dict[str, Any]:
    with db.session() as s:
        staff_id = s.scalar(select(Staff.id).where(Staff.userid == staff)) if staff else None
        dash = Dashboard(s, SH, period, staff_id)
        return dashboard_data(dash, min(db.clock.now(), dash.until))


def rollup_rows(db: Database) -> dict[str, set[tuple[Any, ...]]]:
    with db.session() as s:
        return {
            "messages": set(tuple(r) for r in s.execute(select(DailyMessageCount.day, DailyMessageCount.direction,
                                             DailyMessageCount.messages, DailyMessageCount.customers)).all()),
            "active": set(tuple(r) for r in s.execute(select(DailyActiveCustomer.day, DailyActiveCustomer.customer_id,
                                           DailyActiveCustomer.messages)).all()),
            "responses": set(tuple(r) for r in s.execute(select(DailyChannelResponse.day, DailyChannelResponse.channel,
                                              DailyChannelResponse.sent, DailyChannelResponse.responded)).all()),
        }


def test_figures_from_rollups_equal_figures_from_raw_rows(db: Database) -> None:
    raw = {(p, who): figures(db, p, who) for p in PERIODS for who in (None, "guide_li")}
    assert DailyRollups(db, db.clock, SH).run() > 30
    with db.session() as s:
        assert rollups_through(s) == date(2026, 12, 30)
    rows = rollup_rows(db)
    assert (date(2026, 11, 2), "in", 1, 1) in rows["messages"] and len(rows["active"]) == 5
    assert rows["responses"] == {(date(2026, 11, 5), "kf", 1, 1), (date(2026, 11, 6), "kf", 1, 0),
                                 (date(2026, 11, 7), "kf", 1, 1), (date(2026, 11, 7), "mp_custom", 1, 0)}
    for (period, who), expected in raw.items():
        assert figures(db, period, who) == expected, (period, who)


def test_rollups_up_to_the_middle_of_the_period_and_raw_rows_after(db: Database) -> None:
    raw = figures(db)
    DailyRollups(db, FrozenClock(sh(2026, 11, 8, 12)), SH).run()    # rolled up to 11-07; raw rows from 11-08
    with db.session() as s:
        assert rollups_through(s) == date(2026, 11, 7)
    assert figures(db) == raw


def test_the_job_is_idempotent_and_recomputes_only_the_recent_days(db: Database) -> None:
    clock = FrozenClock(sh(2026, 12, 1, 9))
    rollups = DailyRollups(db, clock, SH)
    rollups.run()
    first = rollup_rows(db)
    assert rollups.run() == RECENT_DAYS and rollup_rows(db) == first       # same rows, nothing doubled

    # A day no longer recomputed keeps its figures even when its raw rows change ...
    with db.session() as s:
        s.execute(delete(Message).where(Message.created_at < sh(2026, 11, 3)))
        a = s.scalar(select(Customer.id).where(Customer.name == "A"))
        s.add(Message(customer_id=a, direction="in", channel="kf", status="received", created_at=sh(2026, 12, 1, 8)))
    clock.advance(timedelta(days=1))
    assert rollups.run() == RECENT_DAYS                                   # 11-28 .. 11-30 again, and 12-01
    after = rollup_rows(db)
    assert (date(2026, 11, 2), "in", 1, 1) in after["messages"]
    # ... and the new day is added.
    assert after["active"] - first["active"] == {(date(2026, 12, 1), a, 1)}


def test_figures_stay_right_after_retention_deletes_the_rows(db: Database) -> None:
    DailyRollups(db, db.clock, SH).run()
    before = {p: figures(db, p) for p in PERIODS}
    with db.session() as s:
        s.execute(update(Delivery).values(updated_at=Delivery.sent_at))   # final long ago: retention may delete
    settings = RetentionConfig(messages_days=20, deliveries_days=20)
    report = Retention(db, settings, db.clock, SH).run()
    assert report.deleted["messages"] == 6 and report.deleted["deliveries"] == 4
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0
    for period, expected in before.items():
        assert figures(db, period) == expected, period
    # The job after retention does not recompute the days whose rows are gone.
    DailyRollups(db, FrozenClock(AS_OF + timedelta(days=1)), SH, settings).run()
    assert {p: figures(db, p) for p in PERIODS} == before


def test_retention_rolls_days_up_before_deleting_them_when_the_job_never_ran(db: Database) -> None:
    before = figures(db)
    with db.session() as s:
        s.execute(update(Delivery).values(updated_at=Delivery.sent_at))
    Retention(db, RetentionConfig(messages_days=20, deliveries_days=20), db.clock, SH).run()
    assert figures(db) == before
