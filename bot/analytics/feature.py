"""The daily rollups as a runtime feature: a scheduler job keeps the dashboard's per-day figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.analytics.rollups import DailyRollups

if TYPE_CHECKING:
    from bot.runtime import Runtime

ROLLUP_EVERY_MINUTES = 10


def install(runtime: "Runtime") -> None:
    from bot.jobs.spec import JobSpec

    rollups = DailyRollups(runtime.db, runtime.clock, runtime.config.scheduler.tz, runtime.config.retention)
    runtime.features["rollups"] = rollups
    runtime.jobs.append(JobSpec("daily_rollups", rollups.run, "interval", {"minutes": ROLLUP_EVERY_MINUTES}))
