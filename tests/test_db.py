"""The database wrapper: planner statistics on both databases."""

from __future__ import annotations

from sqlalchemy import text

from bot.clock import Clock
from bot.db import Database


def test_analyze_gathers_statistics_the_planner_uses(database_url: str) -> None:
    db = Database(database_url, Clock())
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO staff (userid, name, active, created_at) "
                          "VALUES ('g1', 'g', true, '2026-11-02')"))
    db.analyze(full=True)
    db.analyze()   # the periodic, cheaper form runs too
    with db.engine.connect() as conn:
        if db.is_sqlite:
            analysed = conn.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'staff'"))
        else:
            analysed = conn.scalar(text("SELECT count(*) FROM pg_stat_user_tables "
                                        "WHERE relname = 'staff' AND last_analyze IS NOT NULL"))
    db.dispose()
    assert analysed >= 1
