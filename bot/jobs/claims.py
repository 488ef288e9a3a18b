"""Claiming due rows so that several processes never take the same one.

PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers take disjoint batches.
SQLite: every transaction here is `BEGIN IMMEDIATE` (see bot.db), so claims are serialised.
Cron jobs that must run once per fire claim it in `cron_fires` (unique job + fire time): a short
job with `claim_fire` in the transaction that does the work; a long scan with `take_fire`, then
chunk by chunk `hold_fire`, so that another worker resumes it from its cursor if this one dies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import ColumnElement, Select, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import CronFire


def _chosen(session: Session, model: Any, where: Sequence[ColumnElement[bool]], order_by: Sequence[Any],
            limit: int) -> Select[Any]:
    """The ids of up to `limit` matching rows, in `order_by`; locked on PostgreSQL, skipping any
    another claimer holds."""
    chosen = select(model.id).where(*where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    return chosen


def claim_rows(
    session: Session,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    values: dict[str, Any],
    sort_key: Callable[[Any], Any],
) -> list[Any]:
    """Claim up to `limit` matching rows in one statement that hands them back, their new `values`
    set, sorted by `sort_key` (RETURNING keeps no order; `order_by` chooses which rows, `sort_key`
    orders them alike): UPDATE ... WHERE id IN (SELECT id ... ORDER BY ... LIMIT n [FOR UPDATE SKIP
    LOCKED]) RETURNING *."""
    claimed = update(model).where(model.id.in_(_chosen(session, model, where, order_by, limit))).values(**values)
    return sorted(session.scalars(claimed.returning(model).execution_options(synchronize_session=False)),
                  key=sort_key)


def claim_batch(
    session: Session,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    values: dict[str, Any],
) -> int:
    """Claim up to `limit` matching rows in one statement, for batches the caller finds again by
    `values`: UPDATE ... WHERE id IN (SELECT id ... LIMIT n [FOR UPDATE SKIP LOCKED]). Returns the count."""
    claimed = update(model).where(model.id.in_(_chosen(session, model, where, order_by, limit))).values(**values)
    return session.execute(claimed.execution_options(synchronize_session=False)).rowcount or 0


def latest_fire(trigger: BaseTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The trigger's most recent fire time, if it is at most `grace` old (a worker that was down
    catches up within the grace, and not later)."""
    latest, candidate = None, trigger.get_next_fire_time(None, now - grace)
    while candidate is not None and candidate <= now:
        latest = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1))
    return latest


def claim_fire(session: Session, job: str, fire_time: datetime, worker: str, now: datetime) -> bool:
    """Take (job, fire_time) for this transaction; False if another worker already has it.

    Do the fire's work in the same transaction: a worker that dies before committing leaves the
    fire unclaimed for the next tick.
    """
    if session.scalar(select(exists().where(CronFire.job == job, CronFire.fire_time == fire_time))):
        return False
    return _insert_fire(session, CronFire(job=job, fire_time=fire_time, worker=worker, finished_at=now))


def take_fire(session: Session, job: str, fire_time: datetime, worker: str, now: datetime,
              lease: timedelta) -> bool:
    """Start a long fire, or take over one whose worker's lease ran out; False when it is
    finished or another worker holds it. Commit, then go on chunk by chunk with `hold_fire`."""
    fire = _fire_row(session, job, fire_time)
    if fire is None:
        return _insert_fire(session, CronFire(job=job, fire_time=fire_time, worker=worker, lease_until=now + lease))
    if fire.finished_at is not None or (fire.worker != worker and fire.lease_until is not None
                                        and fire.lease_until > now):
        return False
    fire.worker, fire.lease_until = worker, now + lease
    return True


def hold_fire(session: Session, job: str, fire_time: datetime, worker: str) -> CronFire | None:
    """The unfinished fire's row, locked for this transaction, while `worker` holds it; the
    caller does one chunk, then moves `cursor` and `lease_until` on (or sets `finished_at`)."""
    fire = _fire_row(session, job, fire_time)
    return fire if fire is not None and fire.worker == worker and fire.finished_at is None else None


def _fire_row(session: Session, job: str, fire_time: datetime) -> CronFire | None:
    return session.scalar(select(CronFire).where(CronFire.job == job, CronFire.fire_time == fire_time)
                          .with_for_update())


def _insert_fire(session: Session, fire: CronFire) -> bool:
    try:
        with session.begin_nested():
            session.add(fire)
    except IntegrityError:  # another worker wrote it a moment ago
        return False
    return True
