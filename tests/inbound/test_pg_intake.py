"""PostgreSQL's intake: a group of pushes is one statement on a connection of its own; each push is
stored once, a retry finds its stored id, and a lost connection loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select, text

from bot.clock import Clock
from bot.db import Database
from bot.inbound.pg_intake import PostgresIntake
from bot.inbound.spool import Push
from bot.models import Callback
from tests.conftest import truncate_all
from tests.inbound.test_group_commit import text_push
from tests.support.harness import Harness

pytestmark = pytest.mark.postgres


def push(key: str, sender: str = "oINTAKE") -> Push:
    return Push("mp", key, "text", f"mp:{sender}", f"<xml><MsgId>{key}</MsgId></xml>", datetime.now(UTC))


@pytest.fixture
def db(postgres_server_url: str) -> Iterator[Database]:
    truncate_all(postgres_server_url)
    database = Database(postgres_server_url, Clock())
    yield database
    database.dispose()


def stored_keys(db: Database) -> list[str]:
    with db.read_session() as session:
        return sorted(session.scalars(select(Callback.dedupe_key)).all())


def test_a_group_is_stored_once_and_a_retry_finds_the_stored_row(db: Database) -> None:
    intake = PostgresIntake(db)
    try:
        first, new = intake.insert([push("mp:msg:1")])
        assert new == {"mp:msg:1"}
        ids, new = intake.insert([push("mp:msg:2"), push("mp:msg:1"), push("mp:msg:3"), push("mp:msg:2")],
                                 notify=True)
        assert new == {"mp:msg:2", "mp:msg:3"}  # the retry of 1 and the second 2 are not new
        assert ids["mp:msg:1"] == first["mp:msg:1"]
        assert stored_keys(db) == ["mp:msg:1", "mp:msg:2", "mp:msg:3"]
        with db.read_session() as session:
            row = session.execute(select(Callback.id, Callback.status, Callback.attempts, Callback.customer_key,
                                         Callback.kind, Callback.received_at)
                                  .where(Callback.dedupe_key == "mp:msg:3")).one()
        assert tuple(row)[:5] == (ids["mp:msg:3"], "received", 0, "mp:oINTAKE", "text")
        assert row.received_at.tzinfo is not None
    finally:
        intake.close()


def test_a_lost_connection_is_replaced_and_nothing_is_lost_or_stored_twice(db: Database,
                                                                          postgres_server_url: str) -> None:
    intake = PostgresIntake(db)
    try:
        intake.insert([push("mp:msg:10")])
        backends = [conn.info.backend_pid for conn in intake._idle]
        admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # the server restarted, or a proxy dropped the connection
            for pid in backends:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        ids, new = intake.insert([push("mp:msg:11"), push("mp:msg:10")])
        assert new == {"mp:msg:11"} and set(ids) == {"mp:msg:10", "mp:msg:11"}
        assert [conn.info.backend_pid for conn in intake._idle] != backends
        assert stored_keys(db) == ["mp:msg:10", "mp:msg:11"]
    finally:
        intake.close()


def test_the_webhook_stores_through_the_intake_and_a_retry_is_acked_with_the_same_id(
        postgres_server_url: str) -> None:
    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    try:
        inbox = h.runtime.inbox
        assert inbox._intake is not None
        first = inbox.accept("mp", text_push(21, "oWEB"))
        again = inbox.accept("mp", text_push(21, "oWEB"))
        assert first[1] and again == (first[0], False)
        assert stored_keys(h.db) == ["mp:msg:21"]
    finally:
        h.close()
