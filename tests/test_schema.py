"""The migrations build the schema the models describe, and upgrade existing data faithfully."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from bot.clock import Clock
from bot.db import Database
from bot.models import Base, CronFire
from bot.schema import alembic_config, upgrade


def test_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert differences == []


def test_fires_recorded_before_resumable_scans_count_as_finished(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}", Clock())
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(text("INSERT INTO cron_fires (job, fire_time, worker, created_at) "
                          "VALUES ('schedule:birthday', '2026-11-02 01:00:00', 'w1', '2026-11-02 01:00:05')"))
    upgrade(db)
    with db.session() as session:
        [fire] = session.scalars(select(CronFire))
    assert (fire.cursor, fire.lease_until) == (0, None)
    assert fire.finished_at == datetime(2026, 11, 2, 1, 0, 5, tzinfo=UTC)   # done: not scanned again
