"""Moving the demo's clock and letting the bot live through the jump: what falls due on the way goes
out at its own moment (so windows and caps judge it as they would have); every other job runs once
afterwards, in the background."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import TravelClock
from bot.jobs.scheduler import run_jobs_now
from bot.models import Delivery, SharedValue, Task

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

JUMPS = {"1h": (timedelta(hours=1), "1 小时"), "1d": (timedelta(days=1), "1 天"), "7d": (timedelta(days=7), "7 天")}
# What sends the due: queued tasks and the playbook dispatcher (tasks last: sends may queue some).
SENDERS = ("playbooks_dispatch", "run_due_tasks")
# A jump stops at most this often on the way; what is left goes out at its end.
MAX_STOPS = 200
JUST_AFTER = timedelta(seconds=1)
# How far ahead the demo ran when it stopped: a restart goes on from there, so time never runs back
# under the data the demo database already holds.
AHEAD_KEY = "time_travel:ahead_seconds"


class UnknownJump(ValueError):
    """Not one of the offered jumps."""


class TimeTravel:
    def __init__(self, runtime: Runtime, clock: TravelClock) -> None:
        self.runtime = runtime
        self.clock = clock
        self._travelling = threading.Lock()
        self._rest: threading.Thread | None = None
        self._rest_again = threading.Event()
        self._restore_ahead()
        # Whoever jumps (the console, or the simulator page on the shared clock), the bot travels.
        clock.travel_with(self.travel)

    def jump(self, key: str) -> datetime:
        """Move the shared clock by one of JUMPS; returns once what fell due on the way went out."""
        if key not in JUMPS:
            raise UnknownJump(f"jump must be one of {', '.join(JUMPS)}")
        return self.clock.advance(JUMPS[key][0])

    def offset(self) -> timedelta:
        """How far the demo's time runs ahead of real time."""
        return self.clock.now() - datetime.now(UTC)

    def travel(self, seconds: float) -> None:
        """Move `seconds` forward, stopping just after each moment a step or a task falls due on the
        way to send it then. Returns when that is sent; every other job (scanners, lifecycle, tag
        sync, digests) then runs once at the new time in the background."""
        with self._travelling:
            target = self.clock.now() + timedelta(seconds=seconds)
            stops = 0
            while stops < MAX_STOPS and (due := self.next_due(self.clock.now(), target)) is not None:
                self.clock.move(max(due + JUST_AFTER - self.clock.now(), timedelta(0)))
                run_jobs_now(self.runtime, SENDERS)
                stops += 1
            self.clock.move(max(target - self.clock.now(), timedelta(0)))
            run_jobs_now(self.runtime, SENDERS)
            self._store_ahead()
            logger.info("time travel: %.0f s forward with %s stop(s) on the way, now %s", seconds, stops,
                        self.clock.now().isoformat())
        self._run_the_rest()

    def _run_the_rest(self) -> None:
        """Every job once, in one background thread; a jump meanwhile asks it for another round."""
        self._rest_again.set()
        if self._rest is not None and self._rest.is_alive():
            return
        self._rest = threading.Thread(target=self._rest_rounds, name="time-travel-jobs", daemon=True)
        self._rest.start()

    def _rest_rounds(self) -> None:
        while self._rest_again.is_set():
            self._rest_again.clear()
            run_jobs_now(self.runtime, SENDERS, others=True)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait for the background round (tests, and the demo's shutdown)."""
        if self._rest is not None:
            self._rest.join(timeout)

    def _store_ahead(self) -> None:
        with self.runtime.db.session() as session:
            row = session.get(SharedValue, AHEAD_KEY) or SharedValue(key=AHEAD_KEY)
            row.value = str(round(self.offset().total_seconds()))
            session.add(row)

    def _restore_ahead(self) -> None:
        try:
            with self.runtime.db.session() as session:
                row = session.get(SharedValue, AHEAD_KEY)
        except SQLAlchemyError as error:  # no schema yet
            logger.warning("time travel: the stored demo time was not read (%s)", error.__class__.__name__)
            return
        behind = timedelta(seconds=int(row.value)) - self.offset() if row is not None and row.value.isdigit() else None
        if behind is not None and behind > timedelta(0):
            self.clock.move(behind)
            logger.info("time travel: the demo goes on at %s, where it stopped", self.clock.now().isoformat())

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        """The first moment in (after, until - 1 s] a playbook step or a queued task falls due."""
        until = until - JUST_AFTER
        with self.runtime.db.session() as session:
            moments = [
                session.scalar(select(func.min(Delivery.due_at)).where(
                    Delivery.status == "scheduled", Delivery.due_at > after, Delivery.due_at <= until)),
                session.scalar(select(func.min(Task.run_at)).where(
                    Task.status == "pending", Task.run_at > after, Task.run_at <= until)),
            ]
        aware = [moment if moment.tzinfo else moment.replace(tzinfo=UTC) for moment in moments if moment is not None]
        return min(aware, default=None)
