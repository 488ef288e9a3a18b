"""Rules WeChat applies to every call: access tokens, frequency limits and injected faults."""

from __future__ import annotations

import secrets
from collections import defaultdict, deque
from dataclasses import dataclass

# Error codes as WeChat returns them.
OK = 0
INVALID_CREDENTIAL = 40001
INVALID_ACCESS_TOKEN = 40014
EXPIRED_ACCESS_TOKEN = 42001
FREQ_LIMIT = 45009

ERRMSG = {
    OK: "ok",
    INVALID_CREDENTIAL: "invalid credential",
    INVALID_ACCESS_TOKEN: "invalid access_token",
    EXPIRED_ACCESS_TOKEN: "access_token expired",
    FREQ_LIMIT: "api freq out of limit",
}


class TokenBook:
    """Access tokens of one realm (WeCom app or Official Account).

    WeCom hands out the same token again while it is valid; the Official Account issues a new
    one on every call and the previous one stops working, which is why processes must share it.
    """

    def __init__(self, prefix: str, ttl: int, single_valid: bool) -> None:
        self._prefix = prefix
        self._ttl = ttl
        self._single_valid = single_valid
        self._expiry: dict[str, float] = {}
        self._superseded: set[str] = set()

    def issue(self, now: float) -> tuple[str, int]:
        """Return (token, expires_in seconds)."""
        if not self._single_valid:
            for token, expires_at in self._expiry.items():
                if expires_at > now:
                    return token, int(expires_at - now)
        if self._single_valid:
            self._superseded.update(self._expiry)
            self._expiry.clear()
        token = f"{self._prefix}{secrets.token_urlsafe(24)}"
        self._expiry[token] = now + self._ttl
        return token, self._ttl

    def check(self, token: str | None, now: float) -> int:
        """0 when the token may be used, else the errcode WeChat would answer."""
        if token in self._superseded:
            return INVALID_CREDENTIAL
        expires_at = self._expiry.get(token or "")
        if expires_at is None:
            return INVALID_ACCESS_TOKEN
        if expires_at <= now:
            return EXPIRED_ACCESS_TOKEN
        return OK


class SlidingWindow:
    """Counts events per key over a trailing window of `seconds`."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return events

    def full(self, key: str, now: float) -> bool:
        return len(self._prune(key, now)) >= self.limit

    def add(self, key: str, now: float) -> None:
        self._events[key].append(now)


class RateLimit:
    """Several windows that must all have room (e.g. 30 a minute and 1000 an hour)."""

    def __init__(self, *windows: tuple[int, float]) -> None:
        self._windows = [SlidingWindow(limit, seconds) for limit, seconds in windows]

    def allows(self, key: str, now: float) -> bool:
        return not any(window.full(key, now) for window in self._windows)

    def full_window(self, key: str, now: float) -> SlidingWindow | None:
        """The longest window that has no room left for `key` (None when all have room)."""
        full = [window for window in self._windows if window.full(key, now)]
        return max(full, key=lambda window: window.seconds) if full else None

    def take(self, key: str, now: float) -> bool:
        """Count one event if every window has room; False when the limit is reached."""
        if not self.allows(key, now):
            return False
        for window in self._windows:
            window.add(key, now)
        return True


@dataclass
class Fault:
    """The next `times` calls to `api` answer late (`delay_seconds`), and then with an error
    (`errcode` or `http_status`) or, with neither, as usual: a slow success the caller may have
    given up on while WeChat still delivered."""

    api: str
    times: int
    errcode: int | None = None
    errmsg: str | None = None
    http_status: int | None = None
    delay_seconds: float = 0

    @property
    def fails(self) -> bool:
        return self.errcode is not None or self.http_status is not None


class FaultBook:
    """Failures queued by tests: the next `times` calls to `api` fail as told."""

    def __init__(self) -> None:
        self._faults: dict[str, list[Fault]] = defaultdict(list)

    def add(self, fault: Fault) -> None:
        if not fault.fails and fault.delay_seconds <= 0:
            raise ValueError("a fault needs an errcode, an http_status or a delay_seconds")
        if not 0 <= fault.delay_seconds <= 60:
            raise ValueError("delay_seconds must be between 0 and 60")
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self._faults[fault.api].append(fault)

    def take(self, api: str) -> Fault | None:
        queue = self._faults.get(api)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times == 0:
            queue.pop(0)
        return fault

    def pending(self) -> list[dict]:
        return [vars(fault).copy() for queue in self._faults.values() for fault in queue]
