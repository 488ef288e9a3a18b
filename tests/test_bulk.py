"""Deferred inserts (bot/bulk.py): one statement per table for a batch, and never a row missing
where the session looks for it, after a savepoint rolled back, or after the batch rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, insert, select

from bot import bulk
from bot.clock import Clock
from bot.db import Database, insert_row
from bot.models import Customer, CustomerTag, Message, Tag, Task

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, Clock())
    yield database
    database.dispose()


@pytest.fixture
def inserts(db: Database) -> list[str]:
    """The INSERT INTO tasks statements sent to the database."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO tasks"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    return seen


def task(key: str) -> dict[str, object]:
    return {"kind": "test", "key": key, "payload": {"key": key}, "run_at": NOW}


def tasks(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Task.key).order_by(Task.id)))


def test_a_batch_inserts_its_rows_in_one_statement_at_the_commit_in_order(db: Database, inserts: list[str]) -> None:
    ids: list[int] = []
    with db.session() as session:
        bulk.enable(session)
        for n in range(5):
            bulk.defer(session, Task.__table__, task(f"k{n}"), then=ids.append)
        bulk.defer(session, Task.__table__, task("k0"), skip_conflicts=True)  # already there at the commit
        assert ids == [] and inserts == []
    assert tasks(db) == ["k0", "k1", "k2", "k3", "k4"]
    assert len(inserts) == 2  # the five in one statement, then the skipped one
    with db.session() as session:
        assert ids == list(session.scalars(select(Task.id).order_by(Task.id)))


def test_a_statement_on_the_table_sees_the_deferred_rows(db: Database) -> None:
    with db.session() as session:
        bulk.enable(session)
        bulk.defer(session, Task.__table__, task("a"))
        bulk.defer(session, Task.__table__, task("b"))
        assert session.scalar(select(func.count()).select_from(Task)) == 2
        session.add(Task(kind="test", key="c", payload={}, run_at=NOW))  # a flush of the unit of work after them
    assert tasks(db) == ["a", "b", "c"]


def test_rows_deferred_before_a_savepoint_survive_its_rollback(db: Database) -> None:
    with db.session() as session:
        bulk.enable(session)
        bulk.defer(session, Task.__table__, task("before"))
        savepoint = session.begin_nested()
        bulk.defer(session, Task.__table__, task("inside"))
        savepoint.rollback()
        bulk.defer(session, Task.__table__, task("after"))
    assert tasks(db) == ["before", "after"]


def test_rows_deferred_in_a_released_savepoint_stay_unless_an_outer_one_rolls_back(db: Database) -> None:
    with db.session() as session:
        batch = session.begin_nested()  # as the processor routes a batch
        bulk.enable(session)
        bulk.defer(session, Task.__table__, task("routed"))
        with session.begin_nested():
            bulk.defer(session, Task.__table__, task("in a handler's savepoint"))
        bulk.defer(session, Task.__table__, task("routed later"))
        batch.commit()
    assert tasks(db) == ["routed", "in a handler's savepoint", "routed later"]
    with db.session() as session:
        batch = session.begin_nested()
        bulk.enable(session)
        with session.begin_nested():
            bulk.defer(session, Task.__table__, task("gone"))
        bulk.defer(session, Task.__table__, task("gone too"))
        batch.rollback()
        bulk.defer(session, Task.__table__, task("after the failed batch"))
    assert tasks(db)[3:] == ["after the failed batch"]


def test_a_rolled_back_batch_leaves_nothing_and_the_next_transaction_inserts_at_once(db: Database) -> None:
    with db.session() as session:
        bulk.enable(session)
        bulk.defer(session, Task.__table__, task("lost"))
        session.rollback()
        ids: list[int] = []
        bulk.defer(session, Task.__table__, task("kept"), then=ids.append)
        assert len(ids) == 1  # not deferred: the new transaction did not enable it
    assert tasks(db) == ["kept"]


def test_rows_with_reserved_ids_go_in_together_and_before_the_rows_that_refer_to_them(db: Database) -> None:
    """A batch's messages get their ids at once, are inserted in one statement with them, and are
    in before a row naming one of them (a tag's evidence) or an INSERT on its own, which follows them."""
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: seen.append(statement.split(" (")[0]))
    with db.session() as session:
        customer = insert_row(session, Customer, {"openid": "o1", "attributes": {}})
        bulk.enable(session)
        messages = [insert_row(session, Message, message(customer.id, f"m{n}")) for n in range(3)]
        assert [m.id for m in messages] == sorted({m.id for m in messages})
        assert not any(s.startswith("INSERT INTO messages") for s in seen)
        tag = insert_row(session, Tag, {"name": "意向:预约"})
        insert_row(session, CustomerTag, {"customer_id": customer.id, "tag_id": tag.id, "source": "keyword",
                                          "message_id": messages[1].id})
        session.execute(insert(Message.__table__), message(customer.id, "at once"))
    inserts = [s for s in seen if s.startswith("INSERT INTO messages")]
    assert len(inserts) == 2  # the three, then the one inserted at once after them
    with db.session() as session:
        stored = session.execute(select(Message.id, Message.content).order_by(Message.id)).all()
        assert [tuple(row) for row in stored[:3]] == [(m.id, m.content) for m in messages]
        assert stored[3].content == "at once"
        assert session.scalar(select(CustomerTag.message_id)) == messages[1].id


def message(customer_id: int, content: str) -> dict[str, object]:
    return {"customer_id": customer_id, "direction": "in", "channel": "mp", "content": content,
            "status": "received", "created_at": NOW}
