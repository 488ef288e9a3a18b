"""Housekeeping as a runtime feature: the planner's statistics kept fresh by a periodic job."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

ANALYZE_EVERY_HOURS = 1


def install(runtime: "Runtime") -> None:
    from bot.jobs.scheduler import JobSpec

    runtime.jobs.append(JobSpec("analyze_database", runtime.db.analyze, "interval", {"hours": ANALYZE_EVERY_HOURS}))
