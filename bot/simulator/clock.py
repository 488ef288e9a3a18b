"""The simulator's clock: real time plus an offset that tests move forward."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

# WeChat counts "per day" limits in China time.
CHINA = ZoneInfo("Asia/Shanghai")


class SimClock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

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
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset
