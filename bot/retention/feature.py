"""Housekeeping as a runtime feature: planner statistics kept fresh, history past its age deleted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.retention.sweep import Retention

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

ANALYZE_EVERY_HOURS = 1


def install(runtime: "Runtime") -> None:
    from bot.jobs.spec import JobSpec

    runtime.jobs.append(JobSpec("analyze_database", runtime.db.analyze, "interval", {"hours": ANALYZE_EVERY_HOURS}))
    settings = runtime.config.retention
    retention = Retention(runtime.db, settings, runtime.clock, runtime.config.scheduler.tz,
                          rollups=runtime.features.get("rollups"))
    runtime.features["retention"] = retention
    if settings.enabled:
        runtime.jobs.append(JobSpec("retention", retention.run, "interval", {"minutes": settings.interval_minutes}))
