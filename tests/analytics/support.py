"""Small hand-made data for the dashboard's figures; the tests compute the expected values by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.analytics.dashboard import DateRange
from bot.clock import FrozenClock
from bot.db import Database
from bot.models import (Customer, CustomerGuide, Delivery, Enrolment, Event, GuideTask, LinkClick, Message,
                        PlaybookRecord, PlaybookVersion, Staff, TrackedLink)

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))
AS_OF = datetime(2026, 12, 31, tzinfo=UTC)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def seed_hand_made(database_url: str) -> Database:
    """Five customers, their messages, NPS answers, purchases, deliveries and tasks (values in the tests)."""
    database = Database(database_url, FrozenClock(AS_OF))
    with database.session() as s:
        guide = Staff(userid="guide_li", name="李导购")
        s.add(guide)
        s.flush()

        def customer(name: str, first_seen: datetime, state: str | None = None, **fields) -> Customer:
            c = Customer(name=name, external_userid=f"wm_{name}", first_seen_at=first_seen, guide_id=guide.id,
                         **fields)
            s.add(c)
            s.flush()
            if state is not None:
                s.add(CustomerGuide(customer_id=c.id, staff_id=guide.id, state=state, added_at=first_seen))
            return c

        a = customer("A", sh(2026, 11, 2, 10, 0), "store_sh", stage="active", value_tier="high")
        b = customer("B", sh(2026, 11, 3, 9, 0), "store_sh", stage="active")
        c = customer("C", sh(2026, 11, 4, 12, 0), "poster", stage="dormant")
        d = customer("D", sh(2026, 11, 11, 0, 30))                       # 2026-11-10 16:30 UTC: local day 11-11
        e = customer("E", sh(2026, 10, 20, 12, 0), "store_sh", stage="lost")  # before the period

        def inbound(who: Customer, at: datetime, direction: str = "in") -> None:
            s.add(Message(customer_id=who.id, direction=direction, channel="kf", status="received", created_at=at))

        inbound(a, sh(2026, 11, 2, 10, 0))
        inbound(a, sh(2026, 11, 2, 10, 1), "out")
        inbound(a, sh(2026, 11, 3, 22, 0))     # 1.5 days after first contact
        inbound(a, sh(2026, 11, 10, 10, 0))    # 8 days
        inbound(b, sh(2026, 12, 4, 9, 0))      # 31 days
        inbound(d, sh(2026, 11, 26, 0, 30))    # 15 days

        for who, score, at in [(a, 10, sh(2026, 11, 20)), (b, 9, sh(2026, 11, 21)), (c, 7, sh(2026, 11, 22)),
                               (d, 3, sh(2026, 11, 23)), (e, 0, sh(2026, 10, 25))]:
            s.add(Event(customer_id=who.id, type="nps_answered", occurred_at=at, data={"score": score},
                        source="system"))
        for who, amount in [(a, 100), (a, 50.5), (b, 300), (d, 80), (e, 1000)]:
            s.add(Event(customer_id=who.id, type="purchase", occurred_at=sh(2026, 11, 28), data={"amount": amount},
                        source="api"))

        s.add(PlaybookRecord(id="care", name="关怀", current_version=1))
        s.flush()
        version = PlaybookVersion(playbook_id="care", version=1, content="", content_hash="x")
        s.add(version)
        s.flush()
        enrolment = Enrolment(customer_id=a.id, playbook_id="care", version_id=version.id, trigger_type="event",
                              trigger_at=sh(2026, 11, 5), enrolled_at=sh(2026, 11, 5),
                              settle_after=sh(2026, 11, 12))
        s.add(enrolment)
        s.flush()

        def delivery(key: str, channel: str, sent: datetime, replied: datetime | None = None) -> Delivery:
            row = Delivery(enrolment_id=enrolment.id, customer_id=a.id, playbook_id="care", step_id=key,
                           idempotency_key=key, due_at=sent, status="sent", channel=channel, sent_at=sent,
                           replied_at=replied)
            s.add(row)
            s.flush()
            return row

        delivery("k1", "kf", sh(2026, 11, 5, 10), sh(2026, 11, 5, 20))          # replied after 10 h
        delivery("k2", "kf", sh(2026, 11, 6, 10), sh(2026, 11, 9, 10))          # replied after 3 days: too late
        clicked = delivery("k3", "kf", sh(2026, 11, 7, 10))
        link = TrackedLink(token="t1", delivery_id=clicked.id, url="https://example.com")
        s.add(link)
        s.flush()
        s.add(LinkClick(link_id=link.id, created_at=sh(2026, 11, 8, 10)))       # clicked after 1 day
        delivery("m1", "mp_custom", sh(2026, 11, 7, 10))

        for created, done in [(sh(2026, 11, 5, 9), sh(2026, 11, 5, 11)), (sh(2026, 11, 6, 9), sh(2026, 11, 6, 13)),
                              (sh(2026, 11, 7, 9), None)]:
            s.add(GuideTask(staff_id=guide.id, customer_id=a.id, text="跟进", created_at=created, done_at=done,
                            status="done" if done else "open"))
    return database
