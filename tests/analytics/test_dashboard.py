"""The 概览 figures on small hand-made data, on SQLite and PostgreSQL, against hand-computed values."""

from __future__ import annotations

import pytest

from bot.analytics.dashboard import NO_CODE, Dashboard
from bot.db import Database
from bot.models import Staff
from tests.analytics.support import AS_OF, NOVEMBER, SH, seed_hand_made, sh


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = seed_hand_made(database_url)
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
        # the chart names channels as operators know them, not by their ids
        assert [row["label"] for row in dash.channel_response()] == ["微信客服", "公众号客服消息"]
        [li] = dash.guide_tasks()
        assert (li["tasks"], li["done"]) == (3, 2) and li["mean_hours"] == pytest.approx(3.0)


def test_a_guide_sees_only_their_customers_numbers(db: Database) -> None:
    with db.session() as s:
        other = Staff(userid="guide_wang", name="王")
        s.add(other)
        s.flush()
        dash = board(db, s, staff_id=other.id)
        assert dash.customers_total() == 0 and dash.monthly_active() == 0 and dash.nps().answers == 0
