"""快进 (time travel) in the demo: the console and the simulator page move one shared clock forward,
and the bot runs its jobs at the new time at once.

Only a demo or sandbox has it: `[console] time_travel = true` and a clock shared with the
simulator (bot.clock.TravelClock, which `siyu demo` builds). Otherwise nothing is registered and
the endpoints are 404s.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask

from bot.clock import TravelClock

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)


def init_app(app: Flask, runtime: Runtime) -> None:
    """Register the 快进 controls when the demo enables them; otherwise leave the app untouched."""
    if not runtime.config.console.time_travel:
        return
    if not isinstance(runtime.clock, TravelClock):
        logger.warning("[console] time_travel is on but this process keeps real time (only `siyu demo` shares "
                       "a clock with the simulator): no 快进 controls")
        return
    from bot.timetravel import views
    from bot.timetravel.service import TimeTravel

    app.extensions["siyu_time_travel"] = TimeTravel(runtime, runtime.clock)
    app.register_blueprint(views.bp)
