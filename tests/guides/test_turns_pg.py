"""On PostgreSQL, processors giving new customers their default guide never wait for each other."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, make_url, text

from bot.clock import Clock
from bot.config import config_from_dict
from bot.db import Database
from bot.guides.relay import ROUND_ROBIN_KEY, default_guide
from bot.models import Staff
from bot.schema import alembic_config, upgrade
from tests.conftest import ADMIN_URL, truncate_all

pytestmark = pytest.mark.postgres


def test_two_open_batches_take_the_next_guides_without_waiting(postgres_server_url: str) -> None:
    truncate_all(postgres_server_url)
    db = Database(postgres_server_url, Clock())
    config = config_from_dict({"database": {"url": postgres_server_url}, "wecom": {"enabled": False}})
    try:
        with db.session() as session:
            session.add_all([Staff(userid=userid, name=userid) for userid in ("guide_a", "guide_b", "guide_c")])
        with db.session() as first:                    # one processor's batch, still open
            given = [default_guide(first, config).userid]  # type: ignore[union-attr]
            with db.session() as second:               # another processor's batch meanwhile
                second.execute(text("SET LOCAL lock_timeout = '1s'"))  # waiting would raise, not hang
                given += [default_guide(second, config).userid, default_guide(second, config).userid]  # type: ignore[union-attr]
            given.append(default_guide(first, config).userid)  # type: ignore[union-attr]
        assert given == ["guide_a", "guide_b", "guide_c", "guide_a"]
    finally:
        db.dispose()


def test_the_upgrade_goes_on_from_the_turn_the_counter_had_reached(postgres_server_url: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"siyu_test_{uuid.uuid4().hex[:10]}"        # a database from before migration 0021
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, Clock())
    try:
        cfg = alembic_config(db)
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0020")
            conn.execute(text("INSERT INTO staff (userid, name, active, created_at) "
                              "SELECT 'guide_' || c, c, true, now() FROM unnest(ARRAY['a', 'b', 'c']) AS c"))
            conn.execute(text("INSERT INTO shared_values (key, value, updated_at) VALUES (:k, '7', now())"),
                         {"k": ROUND_ROBIN_KEY})
        upgrade(db)
        config = config_from_dict({"database": {"url": url}, "wecom": {"enabled": False}})
        with db.session() as session:
            assert default_guide(session, config).userid == "guide_b"  # type: ignore[union-attr]  # turn 7 of 3
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
