"""Claiming due rows so that several processes never take the same one.

PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers take disjoint batches.
SQLite: every transaction here is `BEGIN IMMEDIATE` (see bot.db), so claims are serialised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session


def claim_ids(
    session: Session,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    values: dict[str, Any],
) -> list[int]:
    """Select up to `limit` matching rows, lock them, set `values`; returns their ids."""
    query = select(model.id).where(*where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(update(model).where(model.id.in_(ids)).values(**values))
    return ids


def claim_batch(
    session: Session,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    values: dict[str, Any],
) -> int:
    """`claim_ids` in one statement, for batches the caller finds again by `values`:
    UPDATE ... WHERE id IN (SELECT id ... LIMIT n [FOR UPDATE SKIP LOCKED]). Returns the count."""
    chosen = select(model.id).where(*where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    result = session.execute(update(model).where(model.id.in_(chosen)).values(**values)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0
