"""Durable follow-up work (welcome messages, kf pulls, notices), run after the commit.

A handler queues a task in the transaction that decided it; the web process runs it right after
the ack, and the scheduler's `run_due_tasks` job picks up whatever a dead process left behind.
Task functions receive only the keyword arguments their signature names.

A kind may instead have a batch function (`TaskRunner.batch_functions`): it gets the claimed tasks
of its kind together (`tasks`, in order) and answers which failed, so that work done per task in
its own transactions (a guide forward: one read, one outcome) is done once per claimed batch; the
runner records the batch's outcomes in one transaction. A failed task is retried and dead-lettered
after MAX_ATTEMPTS as any other; one that was put back untried (`RetryLater(attempted=False)`, e.g.
behind a failed send to the same guide, to keep their order) does not use up an attempt.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from bot import bulk
from bot.clock import Clock
from bot.db import Database, insert_if_absent
from bot.jobs.claims import claim_rows
from bot.models import Task
from bot.ops import logs

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
# Tasks per claim (a batch function gets at most this many of its kind at once). One lease covers
# them all, run one after another: more than twelve WeChat calls that each hit the clients' 10 s
# timeout outlast it and let another runner take the last ones again, so not more than before.
CLAIM_LIMIT = 20
TaskFunction = Callable[..., Any]


class RetryLater(Exception):
    """Raised by a task that should run again after `delay` (frequency limits, timeouts)."""

    def __init__(self, reason: str, delay: timedelta = timedelta(seconds=30), attempted: bool = True) -> None:
        super().__init__(reason)
        self.delay = delay
        self.attempted = attempted  # False: the task was put back without being tried


class TaskQueue:
    """Queues tasks inside the caller's transaction."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.queued = 0

    def enqueue(self, kind: str, key: str, payload: Mapping[str, Any], run_at: datetime | None = None) -> bool:
        """Queue once per `key`; returns False when that key was already queued."""
        # One INSERT ... ON CONFLICT DO NOTHING: no read first, no savepoint, no unit of work.
        with self.session.no_autoflush:  # a task row refers to nothing pending
            added = insert_if_absent(self.session, Task, {
                "kind": kind, "key": key, "payload": logs.task_payload(payload), "run_at": run_at or self.clock.now()})
        self.queued += added
        return added

    def enqueue_with_batch(self, kind: str, key: str, payload: Mapping[str, Any], run_at: datetime | None = None
                           ) -> None:
        """`enqueue`, with the batch's other tasks in one statement when the transaction defers
        inserts (see bot.bulk); a key already queued is skipped either way."""
        bulk.defer(self.session, Task.__table__, {
            "kind": kind, "key": key, "payload": logs.task_payload(payload), "run_at": run_at or self.clock.now()},
            skip_conflicts=True)


class TaskRunner:
    def __init__(self, db: Database, clock: Clock, functions: Mapping[str, TaskFunction],
                 context: Mapping[str, Any]) -> None:
        self.db = db
        self.clock = clock
        self.functions = dict(functions)
        self.context = dict(context)
        self.batch_functions: dict[str, TaskFunction] = {}  # kind -> f(tasks, ...) -> {task id: error}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def run_due(self, limit: int = CLAIM_LIMIT) -> int:
        """Claim and run due tasks until none is left; returns how many ran. A kind with a batch
        function runs once per claim, where the first of its tasks comes."""
        done = 0
        while True:
            batch = self._claim(limit)
            if not batch:
                return done
            batched: set[str] = set()
            for task in batch:
                if task.kind not in self.batch_functions:
                    self._run(task)
                elif task.kind not in batched:
                    batched.add(task.kind)
                    self._run_batch(task.kind, [t for t in batch if t.kind == task.kind])
                done += 1

    def _claim(self, limit: int) -> list[Task]:
        now = self.clock.now()
        due = or_(and_(Task.status == "pending", Task.run_at <= now),
                  and_(Task.status == "running", Task.lease_until < now))
        with self.db.session() as session:
            return claim_rows(session, Task, where=[due], order_by=[Task.run_at, Task.id], limit=limit,
                              values={"status": "running", "lease_until": now + LEASE, "attempts": Task.attempts + 1},
                              sort_key=lambda task: (task.run_at, task.id))

    def _run(self, task: Task) -> None:
        with logs.bound(**logs.task_ids(task.payload, task.id)):
            self._run_bound(task)

    def _run_bound(self, task: Task) -> None:
        logger.debug("running task %s (%s), attempt %s", task.id, task.kind, task.attempts)
        function = self.functions.get(task.kind)
        now = self.clock.now()
        values: dict[str, Any]
        if function is None:
            values = {"status": "failed", "last_error": f"no task function for kind {task.kind!r}"}
        else:
            try:
                context = {**self.context, "payload": task.payload, "task": task}
                wanted = inspect.signature(function).parameters
                function(**{name: context[name] for name in wanted})
                values = {"status": "done", "finished_at": now, "last_error": ""}
            except Exception as exc:  # one error path: logged with context, retried with backoff
                values = self._failure_values(task, exc)
        with self.db.session() as session:  # one UPDATE: no ORM load of the row per task
            session.execute(update(Task).where(Task.id == task.id).values(**values, lease_until=None))

    def _run_batch(self, kind: str, tasks: list[Task]) -> None:
        """Run a kind's batch function on its claimed tasks; record their outcomes in one transaction."""
        function = self.batch_functions[kind]
        try:
            context = {**self.context, "tasks": tasks}
            failures = function(**{name: context[name] for name in inspect.signature(function).parameters})
        except Exception as exc:  # nothing to pin on one task: each is retried
            logger.exception("a batch of %s %s tasks failed", len(tasks), kind)
            failures = {task.id: exc for task in tasks}
        now = self.clock.now()
        done = [task.id for task in tasks if task.id not in failures]
        with self.db.session() as session:
            if done:
                session.execute(update(Task).where(Task.id.in_(done)).values(
                    status="done", finished_at=now, last_error="", lease_until=None))
            for task in tasks:
                if task.id in failures:
                    with logs.bound(**logs.task_ids(task.payload, task.id)):
                        values = self._failure_values(task, failures[task.id])
                    session.execute(update(Task).where(Task.id == task.id).values(**values, lease_until=None))

    def _failure_values(self, task: Task, exc: BaseException) -> dict[str, Any]:
        if isinstance(exc, RetryLater):
            if not exc.attempted:  # put back untried: the attempt its claim counted is given back
                return {"status": "pending", "run_at": self.clock.now() + exc.delay, "last_error": str(exc)[:2000],
                        "attempts": task.attempts - 1}
            return self._retry_values(task, str(exc), exc.delay)
        logger.error("task %s (%s) failed, attempt %s", task.id, task.kind, task.attempts, exc_info=exc)
        return self._retry_values(task, repr(exc), timedelta(seconds=10 * 2 ** task.attempts))

    def _retry_values(self, task: Task, error: str, delay: timedelta) -> dict[str, Any]:
        if task.attempts >= MAX_ATTEMPTS:
            return {"status": "failed", "last_error": error[:2000]}
        return {"status": "pending", "run_at": self.clock.now() + delay, "last_error": error[:2000]}

    # The web process runs tasks in one background thread, woken after each accepted push.

    def kick(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="siyu-tasks", daemon=True)
            self._thread.start()
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=5)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.run_due()
            except Exception:
                logger.exception("task loop failed; the scheduler job will pick the tasks up")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
