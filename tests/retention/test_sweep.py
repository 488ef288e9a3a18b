"""Retention deletes exactly what is past its age, keeps the daily figures, and unlinks the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.config import RetentionConfig
from bot.db import Database
from bot.models import (Callback, CronFire, Customer, CustomerTag, DailyMessageCount, Delivery, Enrolment, Event,
                        Message, PlaybookRecord, PlaybookVersion, Tag, Task)
from bot.retention.sweep import Retention

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)   # 10:00 in Shanghai


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def seed(db: Database) -> dict[str, int]:
    """Rows on both sides of every age limit; returns the ids the test follows."""
    with db.session() as s:
        wang, li = Customer(name="王", first_seen_at=ago(500)), Customer(name="李", first_seen_at=ago(500))
        s.add_all([wang, li])
        s.flush()
        s.add_all([
            Callback(channel="mp", dedupe_key="old", kind="text", body="<xml/>", status="processed",
                     received_at=ago(31)),
            Callback(channel="mp", dedupe_key="failed", kind="text", body="<xml/>", status="failed",
                     received_at=ago(31)),
            Callback(channel="mp", dedupe_key="new", kind="text", body="<xml/>", status="processed",
                     received_at=ago(29)),
        ])
        # 400 days ago at 10:00 Shanghai: one local day with two messages in (two customers) and one out.
        old_day = ago(400)
        old_in = Message(customer_id=wang.id, direction="in", channel="mp", content="退订", status="received",
                         created_at=old_day)
        s.add_all([old_in,
                   Message(customer_id=li.id, direction="in", channel="mp", content="hi", status="received",
                           created_at=old_day + timedelta(hours=1)),
                   Message(customer_id=wang.id, direction="out", channel="kf", content="ok", status="sent",
                           created_at=old_day + timedelta(hours=2)),
                   Message(customer_id=wang.id, direction="in", channel="mp", content="new", status="received",
                           created_at=ago(10))])
        s.flush()
        tag = Tag(name="状态:退订")
        s.add(tag)
        s.flush()
        s.add(CustomerTag(customer_id=wang.id, tag_id=tag.id, source="keyword", message_id=old_in.id))
        s.add_all([
            Event(customer_id=wang.id, type="tag_added", occurred_at=ago(400), source="system", created_at=ago(400)),
            Event(customer_id=wang.id, type="purchase", occurred_at=ago(400), data={"amount": 99}, source="api",
                  created_at=ago(400)),
            Event(customer_id=wang.id, type="tag_added", occurred_at=ago(10), source="system", created_at=ago(10)),
        ])
        s.add_all([
            Task(kind="k", key="done-old", status="done", run_at=ago(31), finished_at=ago(31)),
            Task(kind="k", key="pending-old", status="pending", run_at=ago(31)),
            Task(kind="k", key="done-new", status="done", run_at=ago(29), finished_at=ago(29)),
            CronFire(job="schedule:birthday", fire_time=ago(31), finished_at=ago(31)),
            CronFire(job="schedule:birthday", fire_time=ago(29), finished_at=ago(29)),
        ])
        s.add(PlaybookRecord(id="care", name="care", current_version=1))
        s.flush()
        version = PlaybookVersion(playbook_id="care", version=1, content="", content_hash="x")
        s.add(version)
        s.flush()
        enrolment = Enrolment(customer_id=wang.id, playbook_id="care", version_id=version.id, trigger_type="event",
                              trigger_at=ago(200), enrolled_at=ago(200), settle_after=ago(200))
        s.add(enrolment)
        s.flush()
        deliveries = {
            "sent-old": ("sent", ago(181)), "scheduled-old": ("scheduled", ago(181)), "sent-new": ("sent", ago(179)),
        }
        for key, (status, at) in deliveries.items():
            s.add(Delivery(enrolment_id=enrolment.id, customer_id=wang.id, playbook_id="care", step_id=key,
                           idempotency_key=key, due_at=at, status=status, created_at=at, updated_at=at,
                           reply_message_id=old_in.id if key == "sent-new" else None))
        return {"wang": wang.id, "li": li.id}


def names(db: Database, column) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return sorted(s.scalars(select(column)))


def test_retention_deletes_only_what_is_past_its_age(database_url: str) -> None:
    db = Database(database_url, FrozenClock(NOW))
    ids = seed(db)
    settings = RetentionConfig(batch_size=1)   # every table in several batches
    report = Retention(db, settings, db.clock, SH).run()

    assert report.deleted == {"callbacks": 1, "messages": 3, "events": 1, "tasks": 1, "cron_fires": 1,
                              "deliveries": 1}
    assert names(db, Callback.dedupe_key) == ["failed", "new"]          # failed pushes stay for inspection
    assert names(db, Message.content) == ["new"]
    assert names(db, Event.type) == ["purchase", "tag_added"]            # purchases stay whatever their age
    assert names(db, Task.key) == ["done-new", "pending-old"]            # unfinished work is never deleted
    assert names(db, Delivery.idempotency_key) == ["scheduled-old", "sent-new"]
    with db.session() as s:
        assert len(s.scalars(select(CronFire)).all()) == 1
        # What pointed at a deleted message stays, unlinked.
        assert s.scalar(select(CustomerTag.message_id)) is None
        assert s.scalar(select(Delivery.reply_message_id).where(Delivery.idempotency_key == "sent-new")) is None
        # The deleted day's figures are kept: two customers wrote in, one message went out.
        rollup = {(r.day, r.direction): (r.messages, r.customers) for r in s.scalars(select(DailyMessageCount))}
        assert s.scalar(select(func.count()).select_from(Customer)) == 2 and ids["li"]
    old_day = (NOW - timedelta(days=400)).astimezone(SH).date()
    assert rollup == {(old_day, "in"): (2, 2), (old_day, "out"): (1, 1)}

    again = Retention(db, settings, db.clock, SH).run()                # nothing more, and no double count
    assert again.deleted == {} and again.days_rolled_up == 0
    db.dispose()


def test_retention_keeps_the_newest_day_of_an_old_age_whole(database_url: str) -> None:
    """Messages go by whole local days, so a day is never half counted and half deleted."""
    db = Database(database_url, FrozenClock(NOW))
    with db.session() as s:
        customer = Customer(name="王", first_seen_at=ago(500))
        s.add(customer)
        s.flush()
        # 365 days ago is 2025-11-02 10:00 Shanghai: the early message of that day is past the age,
        # the later one is not; both stay until the whole day is past it.
        for hours in (-1, 1):
            s.add(Message(customer_id=customer.id, direction="in", channel="mp", content=str(hours),
                          status="received", created_at=ago(365) + timedelta(hours=hours)))
    report = Retention(db, RetentionConfig(), db.clock, SH).run()
    assert "messages" not in report.deleted and names(db, Message.content) == ["-1", "1"]
    assert date(2025, 11, 2) == (ago(365)).astimezone(SH).date()
    db.dispose()
