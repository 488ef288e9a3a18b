"""Rows a batch writes with one executemany per table instead of one INSERT each.

In a transaction that enabled it (the inbound processor's batch), `defer` keeps a row until the
transaction commits, or until a statement of the same session reads or writes its table (an
UPDATE, a SELECT, a unit-of-work flush touching it, a savepoint) so that nothing ever sees the
table without it: the outcome is the one immediate INSERTs would have had, in the same order.
A row may ask for its id (`then`), which is called when it is inserted and may defer more rows,
or take an id reserved ahead (`reserve_id`) when what follows needs it at once (a message's id for
its tags and its forward). Elsewhere `defer` inserts at once.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, Table, event, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

_KEY = "siyu.deferred_inserts"
Then = Callable[[int], None]
STAMPED_ON_INSERT = ("created_at", "updated_at", "first_seen_at", "received_at", "added_at")


def complete_row(session: Session, table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every column but the id (unless given) with its value: given, stamped from the session's clock, its
    default, or None (so that rows of one table can go in one executemany)."""
    now = session.info["clock"].now()
    row: dict[str, Any] = {}
    for column in table.c:
        if column.primary_key and column.name not in values:
            continue
        if column.name in values:
            row[column.name] = values[column.name]
        elif column.name in STAMPED_ON_INSERT:
            row[column.name] = now
        elif column.default is not None:
            row[column.name] = column.default.arg(None) if column.default.is_callable else column.default.arg
        else:
            row[column.name] = None
    return row


@dataclass
class _Pending:
    root: SessionTransaction
    # (table name, skip conflicting rows, columns) -> rows, what to call with their ids, and the
    # (sub)transaction each was deferred in
    groups: dict[tuple[str, bool, tuple[str, ...]], list[tuple[dict[str, Any], Then | None, SessionTransaction]]] = (
        field(default_factory=dict))
    tables: dict[str, Table] = field(default_factory=dict)
    flushing: bool = False
    # Ids reserved ahead, by table: PostgreSQL's from the sequence, SQLite's counted on from the
    # largest id (forgotten when the table's rows are inserted: another INSERT may follow them).
    reserved: dict[str, deque[int]] = field(default_factory=dict)
    reservations: dict[str, int] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)


def enable(session: Session) -> None:
    """Defer the inserts of the session's current transaction (a new transaction starts without)."""
    session.connection()  # begins the transaction (the rows are kept for it), if it had not begun
    root = session.get_transaction()
    assert root is not None
    session.info[_KEY] = _Pending(root)


def active(session: Session) -> bool:
    """Whether the session's current transaction defers its inserts (a processor's batch)."""
    return _pending(session) is not None


def _pending(session: Session) -> _Pending | None:
    pending = session.info.get(_KEY)
    if pending is None or pending.root is not session.get_transaction():
        return None  # not enabled, or for a transaction that ended (what it kept ended with it)
    return pending


def defer(session: Session, table: Table, values: Mapping[str, Any], *, skip_conflicts: bool = False,
          then: Then | None = None) -> None:
    """INSERT `values` (with their defaults) into `table`, now or with the batch's others;
    `skip_conflicts`: ON CONFLICT DO NOTHING (then `then` is not supported)."""
    defer_row(session, table, complete_row(session, table, values), skip_conflicts=skip_conflicts, then=then)


def defer_row(session: Session, table: Table, row: dict[str, Any], *, skip_conflicts: bool = False,
              then: Then | None = None) -> None:
    """`defer` for a row `complete_row` made."""
    pending = _pending(session)
    if pending is None:
        _insert(session, table, skip_conflicts, [(row, then)])
        return
    pending.tables[table.name] = table
    within = session.get_nested_transaction() or pending.root
    pending.groups.setdefault((table.name, skip_conflicts, tuple(row)), []).append((row, then, within))


def reserve_id(session: Session, table: Table) -> int | None:
    """An id for a row of `table` that `defer` will insert with it later; None outside a batch.

    On PostgreSQL ids come from the table's sequence, a few more each time (at most 4 or twice
    what the batch used: unused ones are gaps). On SQLite the batch holds the write lock, so they
    count on from the largest id, as SQLite itself would (from the largest ever given, for an
    AUTOINCREMENT table such as customers: a merged customer's id is never reused)."""
    pending = _pending(session)
    if pending is None:
        return None
    ids = pending.reserved.setdefault(table.name, deque())
    if ids:
        return ids.popleft()
    if session.get_bind().dialect.name == "postgresql":
        count = min(max(4, pending.reservations.get(table.name, 0)), 128)
        pending.reservations[table.name] = pending.reservations.get(table.name, 0) + count
        with session.no_autoflush:
            ids.extend(session.execute(text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table.name, "count": count}).scalars())
        return ids.popleft()
    next_id = pending.next_ids.get(table.name)
    if next_id is None:
        with session.no_autoflush:
            next_id = int(session.scalar(select(func.max(table.c.id))) or 0) + 1
            if table.kwargs.get("sqlite_autoincrement"):  # ids deleted at the top are never given again
                used = session.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name})
                next_id = max(next_id, int(used or 0) + 1)
    pending.next_ids[table.name] = next_id + 1
    return next_id


def flush(session: Session) -> None:
    """Insert every deferred row: tables others refer to first, otherwise in the order their
    tables were first deferred."""
    pending = _pending(session)
    if pending is None or pending.flushing:
        return
    pending.flushing = True
    try:
        # No unit-of-work flush before each INSERT: deferred rows refer only to rows already in
        # (tags and staff are inserted at once) or deferred with them (a batch's new customers).
        with session.no_autoflush:
            while pending.groups:
                key = min(pending.groups, key=lambda k: _rank(pending.tables[k[0]]))
                rows = pending.groups.pop(key)
                pending.next_ids.pop(key[0], None)
                _insert(session, pending.tables[key[0]], key[1], [(row, then) for row, then, _ in rows])
    finally:
        pending.flushing = False


def _rank(table: Table) -> int:
    """A table's place in its metadata's dependency order (referenced tables first)."""
    return _ranks(table.metadata)[table.name]


@functools.cache
def _ranks(metadata: MetaData) -> dict[str, int]:
    return {t.name: rank for rank, t in enumerate(metadata.sorted_tables)}


def _insert(session: Session, table: Table, skip_conflicts: bool, rows: list[tuple[dict[str, Any], Then | None]]
            ) -> None:
    if skip_conflicts:
        dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(dialect_insert(table).on_conflict_do_nothing(), [row for row, _ in rows])
        return
    if not any(then for _, then in rows):
        session.execute(insert(table), [row for row, _ in rows])
        return
    if len(rows) == 1:
        ids = [session.execute(insert(table).returning(table.c.id), rows[0][0]).scalar_one()]
    elif session.get_bind().dialect.name == "sqlite":
        # RETURNING in parameter order would be one statement per row here. A batch holds the
        # write lock (BEGIN IMMEDIATE), so the rows got the ids after the largest one, in order.
        with session.no_autoflush:  # nothing else gets into the table in between
            session.execute(insert(table), [row for row, _ in rows])
            last = int(session.scalar(select(func.max(table.c.id))) or 0)
        ids = list(range(last - len(rows) + 1, last + 1))
    else:
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(session.scalars(statement, [row for row, _ in rows]).all())
    for (_, then), row_id in zip(rows, ids, strict=True):
        if then is not None:
            then(row_id)


def _touched(pending: _Pending, names: set[str]) -> bool:
    return any(name in names for name, _, _ in pending.groups)


@functools.cache
def _reach(table: Table) -> frozenset[str]:
    """The table and the tables its foreign keys refer to: a statement on it needs their rows in
    (a tag row naming a message deferred a moment ago)."""
    return frozenset({table.name, *(fk.column.table.name for fk in table.foreign_keys)})


def _before_statement(state: ORMExecuteState) -> None:
    pending = _pending(state.session)
    if pending is None or not pending.groups or pending.flushing:
        return
    names: set[str] = set()
    for t in find_tables(state.statement, include_crud=True, include_joins=True, include_aliases=True):
        if isinstance(t, Table):
            names |= _reach(t)
        elif isinstance(getattr(t, "name", None), str):
            names.add(t.name)
    if _touched(pending, names):
        flush(state.session)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    pending = _pending(session)
    if pending is None or not pending.groups or pending.flushing:
        return
    names: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        names |= _reach(obj.__table__)
    if _touched(pending, names):
        flush(session)


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back: the rows deferred inside it (or inside savepoints within it) go."""
    pending = _pending(session)
    if pending is None:
        return
    for key, rows in list(pending.groups.items()):
        kept = [entry for entry in rows if not _within(entry[2], previous)]
        if kept:
            pending.groups[key] = kept
        else:
            del pending.groups[key]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


class BulkSession(Session):
    """A session whose savepoints start after the deferred rows are in: rolling a savepoint back
    must not take rows deferred before it (rows deferred inside it go with it, see `_rolled_back`)."""

    def begin_nested(self) -> SessionTransaction:
        flush(self)
        return super().begin_nested()


def install(sessions: Any) -> None:
    """Keep deferred rows consistent for the sessions of this sessionmaker."""
    event.listen(sessions, "do_orm_execute", _before_statement)
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "before_commit", flush)
    event.listen(sessions, "after_soft_rollback", _rolled_back)
