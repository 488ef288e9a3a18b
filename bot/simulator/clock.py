"""The simulator's clock: real time plus an offset that tests and 快进 move forward.

The demo shares one SimClock with the bot (bot.clock.TravelClock reads it), so both agree on the
time: pushes stay inside the bot's timestamp window, and windows and tokens age together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

# WeChat counts "per day" limits in China time.
CHINA = ZoneInfo("Asia/Shanghai")


class SimClock:
    def __init__(self, shared: bool = False) -> None:
        """`shared`: another program reads this clock too, so a reset never turns it back."""
        self._offset = 0.0
        self._lock = threading.Lock()
        self._shared = shared
        self._traveller: Callable[[float], None] | None = None

    def now(self) -> float:
        """Simulated Unix time in seconds."""
        with self._lock:
            return time.time() + self._offset

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=CHINA)

    @staticmethod
    def to_datetime(moment: float) -> datetime:
        """A simulated moment in China's time zone (where WeChat counts days and months)."""
        return datetime.fromtimestamp(moment, tz=CHINA)

    def today(self) -> date:
        return self.now_datetime().date()

    def advance(self, seconds: float) -> float:
        """Move forward; with a traveller set (the demo's bot), it moves the clock itself, in steps."""
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        traveller = self._traveller
        if traveller is None:
            return self.move(seconds)
        traveller(seconds)
        return self.offset

    def move(self, seconds: float) -> float:
        """Move forward at once, whoever listens."""
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    def travel_with(self, traveller: Callable[[float], None]) -> None:
        """Let `traveller(seconds)` carry out every advance (using `move`): the demo's bot stops at each
        moment something falls due on the way, so a jump of days plays out as those days would."""
        self._traveller = traveller

    def reset(self) -> None:
        if self._shared:
            logger.info("the clock is shared with the bot: a reset keeps its time")
            return
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset
