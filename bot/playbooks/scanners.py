"""Cron-style scans: schedule triggers (birthdays, digests), quiet customers, finished journeys.

One APScheduler interval job runs `Scanners.run`; each scan that must happen once per fire
claims that fire in `cron_fires` (unique job + fire time) in the same transaction as its work,
so with several workers exactly one does it, and a worker that dies mid-scan leaves the fire
unclaimed for the next tick.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.claims import claim_fire
from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.models import Customer, Delivery, Enrolment
from bot.playbooks.engine import PlaybookEngine, customer_context, end_enrolment
from bot.playbooks.registry import ActivePlaybook, active_playbooks
from bot.playbooks.templates import EventContext, RenderError, evaluate, template_context

logger = logging.getLogger(__name__)

SCAN_INTERVAL_SECONDS = 60
# A schedule fire missed by more than this (the bot was down) is not caught up.
MISFIRE_GRACE = timedelta(hours=1)
CHUNK = 500


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

    def latest_fire(self, active: ActivePlaybook, now: datetime) -> datetime | None:
        """The most recent fire time of a schedule trigger within the misfire grace, if any."""
        schedule = active.playbook.trigger.schedule
        assert schedule is not None
        trigger = schedule.cron_trigger(self.tz)
        latest, candidate = None, trigger.get_next_fire_time(None, now - MISFIRE_GRACE)
        while candidate is not None and candidate <= now:
            latest = candidate
            candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1))
        return latest

    def run_schedules(self) -> int:
        now = self.clock.now()
        entered = 0
        with self.db.session() as session:
            schedules = [a for a in active_playbooks(session) if a.playbook.trigger.kind == "schedule"]
        for active in schedules:
            fire = self.latest_fire(active, now)
            if fire is None:
                continue
            with self.db.session() as session:
                if not claim_fire(session, f"schedule:{active.playbook.id}", fire, self.worker_id):
                    continue
                entered += self._enrol_audience(session, active, fire)
        return entered

    def _enrol_audience(self, session: Session, active: ActivePlaybook, fire: datetime) -> int:
        schedule = active.playbook.trigger.schedule
        condition = schedule.audience_condition if schedule else None
        entered = 0
        for customer in _customers(session, Customer.opted_out.is_(False)):
            if condition is not None:
                context = template_context(customer=customer_context(session, customer),
                                           now=fire.astimezone(self.tz), event=EventContext("schedule", {}, fire),
                                           playbook=active.playbook)
                try:
                    if not evaluate(condition, **context):
                        continue
                except RenderError as error:
                    logger.error("playbook %s: schedule audience failed: %s", active.playbook.id, error)
                    return entered
            if self.engine.enrol(session, customer, active, trigger_type="schedule", trigger_at=fire,
                                 data={"fire_time": fire.isoformat()}):
                entered += 1
        logger.info("schedule of playbook %s at %s: %s customers entered", active.playbook.id, fire, entered)
        return entered

    # -- quiet customers --------------------------------------------------------------------------

    def run_inactive(self) -> int:
        """Enter customers quiet for the trigger's days, once per quiet stretch (hourly fires)."""
        now = self.clock.now()
        fire = now.replace(minute=0, second=0, microsecond=0)
        entered = 0
        with self.db.session() as session:
            playbooks = [a for a in active_playbooks(session) if a.playbook.trigger.kind == "inactive_days"]
        for active in playbooks:
            with self.db.session() as session:
                if not claim_fire(session, f"inactive:{active.playbook.id}", fire, self.worker_id):
                    continue
                entered += self._enrol_inactive(session, active, now)
        return entered

    def _enrol_inactive(self, session: Session, active: ActivePlaybook, now: datetime) -> int:
        days = active.playbook.trigger.inactive_days or 0
        last_seen = func.coalesce(Customer.last_active_at, Customer.first_seen_at)
        already = exists().where(Enrolment.customer_id == Customer.id,
                                 Enrolment.playbook_id == active.playbook.id, Enrolment.enrolled_at >= last_seen)
        entered = 0
        for customer in _customers(session, Customer.opted_out.is_(False), last_seen <= now - timedelta(days=days),
                                   ~already):
            if self.engine.enrol(session, customer, active, trigger_type="inactive_days", trigger_at=now,
                                 data={"inactive_days": days}):
                entered += 1
        return entered

    # -- finished journeys ----------------------------------------------------------------------

    def finish_enrolments(self) -> int:
        """Active enrolments with nothing left to send and their goal window closed are completed."""
        now = self.clock.now()
        pending = exists().where(Delivery.enrolment_id == Enrolment.id,
                                 or_(Delivery.status == "scheduled", Delivery.status == "claimed"))
        finished = 0
        with self.db.session() as session:
            for enrolment in session.scalars(select(Enrolment).where(and_(Enrolment.status == "active", ~pending))
                                             .order_by(Enrolment.id).limit(CHUNK * 4)):
                goal = self.engine.versions.get(session, enrolment.version_id).exit.goal
                if goal is not None and goal.within is not None and now <= enrolment.enrolled_at + goal.within:
                    continue
                end_enrolment(session, enrolment, "completed", "all steps done", now)
                finished += 1
        return finished


def _customers(session: Session, *where: object) -> Iterator[Customer]:
    """Customers matching `where`, in id order, fetched a chunk at a time."""
    last_id = 0
    while True:
        chunk = list(session.scalars(select(Customer).where(Customer.id > last_id, *where)  # type: ignore[arg-type]
                                     .order_by(Customer.id).limit(CHUNK)))
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id
