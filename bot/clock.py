"""The one source of "now": production uses the system clock, tests move a frozen one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock:
    """System time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that only moves when told to; thread-safe so background jobs can read it."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        with self._lock:
            self._now += delta if delta is not None else timedelta(**kwargs)
            return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FrozenClock needs timezone-aware datetimes")
        with self._lock:
            self._now = moment


class TimeSource(Protocol):
    """Unix time that can be moved forward (the simulator's SimClock is one)."""

    def now(self) -> float: ...

    def advance(self, seconds: float) -> float: ...

    def move(self, seconds: float) -> float: ...

    def travel_with(self, traveller: Callable[[float], None]) -> None: ...


class TravelClock(Clock):
    """The demo's clock: system time plus what 快进 added, read from a source the simulator shares,
    so the bot and the simulator agree on the time. Only moves forward."""

    def __init__(self, source: TimeSource) -> None:
        self.source = source

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.source.now(), UTC)

    def advance(self, delta: timedelta) -> datetime:
        """Jump forward, through the traveller when one is set (as the simulator page's 快进 does)."""
        self.source.advance(_seconds(delta))
        return self.now()

    def move(self, delta: timedelta) -> datetime:
        """Move forward at once (the traveller's own step)."""
        self.source.move(_seconds(delta))
        return self.now()

    def travel_with(self, traveller: Callable[[float], None]) -> None:
        """Let `traveller(seconds)` carry out every jump, whoever asked (the console or the simulator page)."""
        self.source.travel_with(traveller)


def _seconds(delta: timedelta) -> float:
    if delta < timedelta(0):
        raise ValueError("time travel only goes forward")
    return delta.total_seconds()
