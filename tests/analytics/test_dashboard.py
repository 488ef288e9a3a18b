"""The 概览 figures on small hand-made data, on SQLite and PostgreSQL, against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.analytics.dashboard import NO_CODE, Dashboard, DateRange
from bot.clock import FrozenClock
from bot.db import Database
from bot.models import (Customer, CustomerGuide, Delivery, Enrolment, Event, GuideTask, LinkClick, Message,
                        PlaybookRecord, PlaybookVersion, Staff, TrackedLink)

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))
AS_OF = datetime(2026, 12, 31, tzinfo=UTC)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
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
    yield database
    database.dispose()


def board(db: Database, session, staff_id: int | None = None) -> Dashboard:  # type: ignore[no-untyped-def]
    return Dashboard(session, SH, NOVEMBER, staff_id)


def test_base_and_new_customers_by_local_day_and_channel(db: Database) -> None:
    with db.session() as s:
        dash = board(db, s)
        assert dash.customers_total() == 5
        assert dash.by_stage() == {"active": 2, "dormant": 1, "new": 1, "lost": 1}
        new = dash.new_by_day()
        assert len(new) == 30 and sum(new.values()) == 4
        assert (new["2026-11-02"], new["2026-11-10"], new["2026-11-11"]) == (1, 0, 1)
        assert dash.new_by_channel() == {"store_sh": 2, "poster": 1}


def test_activity_dau_mau(db: Database) -> None:
    with db.session() as s:
        dash = board(db, s)
        messages = dash.messages_by_day()
        assert messages["2026-11-02"] == {"in": 1, "out": 1} and messages["2026-11-03"] == {"in": 1, "out": 0}
        dau = dash.daily_active()
        assert dau["2026-11-02"] == 1 and dau["2026-11-26"] == 1 and sum(dau.values()) == 4
        assert dash.monthly_active() == 2          # A and D wrote in November; B only in December


def test_retention_cohorts_by_week_of_first_contact(db: Database) -> None:
    with db.session() as s:
        cohorts = {c.week: c for c in board(db, s).retention(AS_OF)}
    assert set(cohorts) == {"2026-11-02", "2026-11-09"}
    first = cohorts["2026-11-02"]                 # A (last wrote on day 8), B (day 31), C (never again)
    assert first.size == 3
    assert first.retained == {1: (2, 3), 7: (2, 3), 14: (1, 3), 30: (1, 3)}
    second = cohorts["2026-11-09"]                # D (day 15)
    assert second.retained == {1: (1, 1), 7: (1, 1), 14: (1, 1), 30: (0, 1)}


def test_retention_counts_only_customers_old_enough(db: Database) -> None:
    with db.session() as s:
        cohorts = {c.week: c for c in board(db, s).retention(sh(2026, 11, 20))}
    # on 11-20, A, B and C (first seen 11-02..04) are 16-18 days old: eligible for day 14, not day 30
    assert cohorts["2026-11-02"].retained[14][1] == 3 and cohorts["2026-11-02"].retained[30] == (0, 0)


def test_nps_and_ltv(db: Database) -> None:
    with db.session() as s:
        dash = board(db, s)
        nps = dash.nps()
        assert (nps.promoters, nps.passives, nps.detractors) == (2, 1, 1) and nps.score == pytest.approx(25.0)
        by_cohort = {row["cohort"]: row for row in dash.ltv_by_cohort()}
        assert by_cohort["2026-11-02"]["ltv"] == pytest.approx(450.5 / 3)
        assert by_cohort["2026-11-09"]["ltv"] == pytest.approx(80.0)
        by_channel = {row["channel"]: row["ltv"] for row in dash.ltv_by_channel()}
        assert by_channel == pytest.approx({"store_sh": 450.5 / 2, "poster": 0.0, NO_CODE: 80.0})


def test_channel_response_within_48_hours_and_guide_tasks(db: Database) -> None:
    with db.session() as s:
        dash = board(db, s)
        response = {row["channel"]: (row["responded"], row["sent"]) for row in dash.channel_response()}
        assert response == {"kf": (2, 3), "mp_custom": (0, 1)}
        [li] = dash.guide_tasks()
        assert (li["tasks"], li["done"]) == (3, 2) and li["mean_hours"] == pytest.approx(3.0)


def test_a_guide_sees_only_their_customers_numbers(db: Database) -> None:
    with db.session() as s:
        other = Staff(userid="guide_wang", name="王")
        s.add(other)
        s.flush()
        dash = board(db, s, staff_id=other.id)
        assert dash.customers_total() == 0 and dash.monthly_active() == 0 and dash.nps().answers == 0
