"""APScheduler is the clock: a few interval and cron jobs, never one job per reminder.

`siyu serve` runs it in the background beside the web app; `siyu worker` runs it alone.
Every job is safe to run in several processes at once: claims skip what others hold.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.jobs.spec import JobSpec
from bot.ops import metrics
from bot.runtime import Runtime

logger = logging.getLogger(__name__)


def core_jobs(runtime: Runtime) -> list[JobSpec]:
    return [
        JobSpec("run_due_tasks", runtime.tasks.run_due, "interval", {"seconds": 2}),
        JobSpec("recover_callbacks", runtime.processor.drain, "interval", {"seconds": 30}),
        *runtime.jobs,
    ]


def build_scheduler(runtime: Runtime, blocking: bool = False) -> BaseScheduler:
    scheduler_cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_cls(timezone=runtime.config.scheduler.tz)
    for spec in core_jobs(runtime):
        scheduler.add_job(
            _guarded(spec), spec.trigger, id=spec.id, name=spec.id, max_instances=1, coalesce=True,
            misfire_grace_time=60, replace_existing=True, **spec.trigger_args,
        )
    return scheduler


def run_jobs_now(runtime: Runtime, ids: tuple[str, ...], others: bool = False) -> None:
    """Run jobs once in this thread: with `others`, every other job first (in registration order),
    then those named in `ids` in that order (the demo's 快进 catches up with this)."""
    specs = {spec.id: spec for spec in core_jobs(runtime)}
    order = [name for name in specs if name not in ids] if others else []
    for name in [*order, *(name for name in ids if name in specs)]:
        _guarded(specs[name])()


def _guarded(spec: JobSpec) -> Callable[[], None]:
    def run() -> None:
        started = time.perf_counter()
        try:
            spec.func()
        except Exception:  # a failing job must not stop the clock; the next tick tries again
            logger.exception("scheduled job %s failed", spec.id)
            metrics.job_run(spec.id, False, time.perf_counter() - started)
        else:
            metrics.job_run(spec.id, True, time.perf_counter() - started)

    run.__name__ = spec.id
    return run
