"""Cron-style scans: schedule triggers (birthdays, digests), quiet customers, finished journeys.

One APScheduler interval job runs `Scanners.run`. A scan over customers happens once per fire
across workers: the first worker takes the fire in `cron_fires` (unique job + fire time), then
goes through the customers a chunk per transaction (so webhooks are never kept waiting behind a
long scan on SQLite), recording the last customer done with each chunk. A worker that dies
mid-scan leaves the rest to whichever worker takes the fire over when its lease runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.jobs.claims import hold_fire, latest_fire, take_fire
from bot.models import Customer, Delivery, Enrolment
from bot.playbooks.engine import Entry, PlaybookEngine, customer_context, enrolment_goal_deadline, tag_names
from bot.playbooks.registry import ActivePlaybook, active_playbooks
from bot.playbooks.templates import EventContext, RenderError, evaluate, template_context

logger = logging.getLogger(__name__)

SCAN_INTERVAL_SECONDS = 60
# A schedule fire missed by more than this (the bot was down) is not caught up.
MISFIRE_GRACE = timedelta(hours=1)
CHUNK = 500
# On SQLite one write transaction locks out every other writer, webhooks included, and its Python
# work is slowed by the web threads' (one process, one GIL): chunks this small keep each hold
# to tens of milliseconds even then.
SQLITE_CHUNK = 100
# A worker that stops recording progress for this long loses its fire to another worker.
FIRE_LEASE = timedelta(minutes=5)
# An enrolment still waiting for a step is looked at again this long after that step is due.
RECHECK = timedelta(seconds=SCAN_INTERVAL_SECONDS)


class Scanners:
    def __init__(self, db: Database, config: Config, clock: Clock, engine: PlaybookEngine,
                 worker_id: str = "") -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.engine = engine
        self.worker_id = worker_id
        self.tz = config.scheduler.tz

    def run(self) -> dict[str, int]:
        """Every scan once; returns how many customers each enrolled or finished."""
        return {"schedule": self.run_schedules(), "inactive": self.run_inactive(), "finished": self.finish_enrolments()}

    # -- schedule triggers -----------------------------------------------------------------------

    def run_schedules(self) -> int:
        now = self.clock.now()
        entered = 0
        with self.db.session() as session:
            schedules = [a for a in active_playbooks(session) if a.playbook.trigger.kind == "schedule"]
        for active in schedules:
            schedule = active.playbook.trigger.schedule
            assert schedule is not None
            fire = latest_fire(schedule.cron_trigger(self.tz), now, MISFIRE_GRACE)
            if fire is not None:
                entered += self._scan(f"schedule:{active.playbook.id}", fire,
                                      partial(self._enrol_audience, active, fire),
                                      Customer.opted_out.is_(False))
        return entered

    def _enrol_audience(self, active: ActivePlaybook, fire: datetime, session: Session,
                        customers: list[Customer]) -> list[Entry]:
        schedule = active.playbook.trigger.schedule
        condition = schedule.audience_condition if schedule else None
        tags = tag_names(session, [customer.id for customer in customers])
        entries, errors = [], []
        for customer in customers:
            customer_tags = tags.get(customer.id, ())
            if condition is not None:
                context = template_context(customer=customer_context(session, customer, customer_tags, fire),
                                           now=fire.astimezone(self.tz), event=EventContext("schedule", {}, fire),
                                           playbook=active.playbook)
                try:
                    if not evaluate(condition, **context):
                        continue
                except RenderError as error:
                    errors.append(f"customer {customer.id}: {error}")
                    continue
            entry = self.engine.entry(session, customer, active, trigger_type="schedule", trigger_at=fire,
                                      data={"fire_time": fire.isoformat()}, tags=customer_tags)
            if entry is not None:
                entries.append(entry)
        if errors:
            logger.error("playbook %s: schedule audience failed for %s customers, first %s",
                         active.playbook.id, len(errors), errors[0])
        return entries

    # -- quiet customers --------------------------------------------------------------------------

    def run_inactive(self) -> int:
        """Enter customers quiet for the trigger's days, once per quiet stretch (hourly fires)."""
        now = self.clock.now()
        fire = now.replace(minute=0, second=0, microsecond=0)
        entered = 0
        with self.db.session() as session:
            playbooks = [a for a in active_playbooks(session) if a.playbook.trigger.kind == "inactive_days"]
        for active in playbooks:
            days = active.playbook.trigger.inactive_days or 0
            last_seen = func.coalesce(Customer.last_active_at, Customer.first_seen_at)
            already = exists().where(Enrolment.customer_id == Customer.id,
                                     Enrolment.playbook_id == active.playbook.id, Enrolment.enrolled_at >= last_seen)
            entered += self._scan(
                f"inactive:{active.playbook.id}", fire,
                partial(self._enrol_inactive, active, days),
                Customer.opted_out.is_(False), last_seen <= now - timedelta(days=days), ~already)
        return entered

    def _enrol_inactive(self, active: ActivePlaybook, days: int, session: Session,
                        customers: list[Customer]) -> list[Entry]:
        now = self.clock.now()
        tags = tag_names(session, [customer.id for customer in customers])
        entries = (self.engine.entry(session, customer, active, trigger_type="inactive_days", trigger_at=now,
                                     data={"inactive_days": days}, tags=tags.get(customer.id, ()))
                   for customer in customers)
        return [entry for entry in entries if entry is not None]

    # -- one fire, chunk by chunk ------------------------------------------------------------------

    def _scan(self, job: str, fire: datetime, choose: Callable[[Session, list[Customer]], list[Entry]],
              *where: object) -> int:
        """Offer the customers matching `where` to `choose` a chunk at a time, once per fire across
        workers, resuming after the last chunk a dead worker finished; returns how many customers
        this worker entered.

        Each chunk is read and decided in a read-only transaction (on SQLite it does not take the
        write lock), then written in bulk in a short one that also moves the fire's cursor on, so
        webhooks never wait long behind a scan over many customers.
        """
        with self.db.session() as session:
            if not take_fire(session, job, fire, self.worker_id, self.clock.now(), FIRE_LEASE):
                return 0
        entered = 0
        while True:
            with self.db.read_session() as session:
                fire_row = hold_fire(session, job, fire, self.worker_id)
                if fire_row is None:  # too slow: another worker took the fire over
                    logger.warning("%s at %s was taken over by another worker", job, fire.isoformat())
                    return entered
                cursor = fire_row.cursor
                customers = list(session.scalars(
                    select(Customer).where(Customer.id > cursor, *where)  # type: ignore[arg-type]
                    .order_by(Customer.id).limit(self._chunk())))
                entries = choose(session, customers) if customers else []
                last_id = customers[-1].id if customers else None
            with self.db.session() as session:
                held = hold_fire(session, job, fire, self.worker_id)
                if held is None or held.cursor != cursor:
                    logger.warning("%s at %s was taken over by another worker", job, fire.isoformat())
                    return entered
                if last_id is None:
                    held.finished_at = self.clock.now()
                    break
                entered += self.engine.enter_many(session, entries)
                held.cursor, held.lease_until = last_id, self.clock.now() + FIRE_LEASE
        logger.info("%s at %s: %s customers entered", job, fire.isoformat(), entered)
        return entered

    # -- finished journeys ----------------------------------------------------------------------

    def _chunk(self) -> int:
        return CHUNK if self.db.is_postgres else min(CHUNK, SQLITE_CHUNK)

    def finish_enrolments(self, max_chunks: int = 20) -> int:
        """Active enrolments with nothing left to send and their goal window closed are completed.

        Only enrolments whose `settle_after` has come are read (an index range, however many
        journeys are under way); one still waiting is looked at again when its last pending step
        is due. A chunk per short transaction.
        """
        finished = 0
        for _ in range(max_chunks):
            with self.db.session() as session:
                done, looked = self._finish_chunk(session, self.clock.now())
            finished += done
            if looked < self._chunk():
                break
        return finished

    def _finish_chunk(self, session: Session, now: datetime) -> tuple[int, int]:
        query = (select(Enrolment.id, Enrolment.version_id, Enrolment.enrolled_at, Enrolment.context)
                 .where(Enrolment.status == "active", Enrolment.settle_after <= now)
                 .order_by(Enrolment.settle_after, Enrolment.id).limit(self._chunk()))
        if self.db.is_postgres:
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        if not rows:
            return 0, 0
        pending = {enrolment_id: due for enrolment_id, due in session.execute(
            select(Delivery.enrolment_id, func.max(Delivery.due_at))
            .where(Delivery.enrolment_id.in_([row.id for row in rows]),
                   Delivery.status.in_(("scheduled", "claimed")))
            .group_by(Delivery.enrolment_id))}
        later: list[dict[str, object]] = []
        done: list[int] = []
        for row in rows:
            if row.id in pending:  # look again once its last pending step is due (or its lease is over)
                later.append({"b_id": row.id, "b_at": max(pending[row.id], now) + RECHECK})
                continue
            goal = self.engine.versions.get(session, row.version_id).exit.goal
            until = enrolment_goal_deadline(goal, row.enrolled_at, row.context)
            if until is not None and now <= until:
                later.append({"b_id": row.id, "b_at": until + RECHECK})
                continue
            done.append(row.id)
        table = Enrolment.__table__
        if later:
            session.connection().execute(
                update(table).where(table.c.id == bindparam("b_id")).values(settle_after=bindparam("b_at")), later)
        if done:
            # Nothing is pending, so there is nothing to cancel; a completed journey keeps its guide tasks.
            session.execute(update(Enrolment).where(Enrolment.id.in_(done), Enrolment.status == "active")
                            .values(status="completed", reason="all steps done", ended_at=now, updated_at=now)
                            .execution_options(synchronize_session=False))
            logger.info("%s enrolments completed", len(done))
        return len(done), len(rows)
