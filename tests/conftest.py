"""Shared fixtures: databases (SQLite and PostgreSQL), the simulator, the bot over real HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.clock import Clock, FrozenClock
from bot.db import Database
from bot.models import Base
from bot.schema import upgrade

if TYPE_CHECKING:
    from tests.support.harness import Harness

ADMIN_URL = os.environ.get("SIYU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_unavailable(reason: str) -> None:
    """In CI the PostgreSQL tests must run: unreachable is a failure there, a skip elsewhere."""
    if IN_CI:
        pytest.fail(f"PostgreSQL is required with CI=true but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not reachable at {make_url(ADMIN_URL).render_as_string()}: {reason}")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh database for this test session, migrated to head; dropped afterwards."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"siyu_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any driver or network error means "not reachable"
        admin.dispose()
        postgres_unavailable(exc.__class__.__name__ + ": " + str(exc).splitlines()[0])
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(Database(url, Clock()))
    yield url
    with admin.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
        ), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'siyu.db'}"
        upgrade(Database(url, Clock()))
        return url
    url = request.getfixturevalue("postgres_server_url")
    truncate_all(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'siyu.db'}"
    upgrade(Database(url, Clock()))
    return url


@pytest.fixture
def harness(database_url: str) -> Iterator["Harness"]:
    """The bot and the simulator over HTTP, on the real clock."""
    from tests.support.harness import Harness

    h = Harness(database_url)
    h.seed_staff()
    yield h
    h.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def frozen_harness(database_url: str, clock: FrozenClock) -> Iterator["Harness"]:
    """The bot and the simulator over HTTP, the bot on a clock the test moves."""
    from tests.support.harness import Harness

    h = Harness(database_url, clock=clock)
    h.seed_staff()
    yield h
    h.close()
