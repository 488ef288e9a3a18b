"""Pure time math for playbooks: durations, step due times, quiet hours and frequency caps.

Nothing here reads a clock or a database: callers pass "now", the trigger time and the send
times already counted, so the outbox, the preview CLI and the tests share one set of rules.
Every datetime is timezone-aware; naive ones are rejected rather than guessed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.playbooks.schema import Step

logger = logging.getLogger(__name__)

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

# Units a duration may use: English letters and the Chinese words an operator writes. "m" alone
# stays minutes for playbooks already written, but `check` warns (a month is plausible too).
_UNIT_SECONDS = {"w": 604800, "周": 604800, "星期": 604800, "d": 86400, "天": 86400, "日": 86400,
                 "h": 3600, "小时": 3600, "时": 3600, "min": 60, "分钟": 60, "分": 60, "m": 60, "s": 1, "秒": 1}
_UNIT = "|".join(sorted(map(re.escape, _UNIT_SECONDS), key=len, reverse=True))
_DURATION_PART = re.compile(rf"(\d+)\s*({_UNIT})")
_DURATION_WHOLE = re.compile(rf"(?:\d+\s*(?:{_UNIT})\s*)+")
_MONTHS = re.compile(r"\d+\s*(?:mo|mon|month|months|个月|月|y|year|years|年)$")
DURATION_UNITS_HELP = ("units: min (minutes), h, d, w, or 分钟, 小时, 天, 周; "
                       'combine them as "1d12h"; months are not a unit: write "30d"')


def parse_duration(text: str) -> timedelta:
    """Parse "30min", "1h", "3d", "2w", "3天", "2小时" or combinations such as "1d12h"."""
    cleaned = text.strip().lower() if isinstance(text, str) else ""
    if _MONTHS.search(cleaned):
        raise ValueError(f"months and years are not duration units (they differ in length), got {text!r}; "
                         'write days ("30d") or count to a date with on/of')
    if not _DURATION_WHOLE.fullmatch(cleaned):
        raise ValueError(f'expected a duration like "3d", "12h" or "30min", got {text!r}; {DURATION_UNITS_HELP}')
    return timedelta(seconds=sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(cleaned)))


def ambiguous_minutes(text: str) -> bool:
    """True when a duration uses the bare "m" unit (minutes here, though a month is plausible)."""
    return isinstance(text, str) and any(unit == "m" for _, unit in _DURATION_PART.findall(text.strip().lower()))


def _require_aware(dt: datetime, what: str) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {dt.isoformat()}")


def _normalize(dt: datetime, tz: tzinfo) -> datetime:
    """Round-trip through UTC so wall times that DST skips become real instants."""
    return dt.astimezone(UTC).astimezone(tz)


def local_datetime(day: date, at: time, tz: tzinfo = DEFAULT_TZ) -> datetime:
    """The instant when the wall clock in `tz` shows `at` on `day`."""
    return _normalize(datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz), tz)


def _add_wall(dt: datetime, delta: timedelta, tz: tzinfo) -> datetime:
    # Aware + timedelta moves the wall clock, so "3d" keeps the time of day across DST.
    return _normalize(dt.astimezone(tz) + delta, tz)


# --- date attributes ------------------------------------------------------------------------

def attribute_value(value: object, tz: tzinfo = DEFAULT_TZ) -> datetime | date | None:
    """Interpret a date attribute from event data or customer attributes.

    Accepts datetime, date, ISO 8601 strings (as JSON delivers them) and Unix seconds. Naive
    datetimes are read as local time in `tz`. Returns None for anything else.
    """
    if isinstance(value, datetime):
        return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz)
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return attribute_value(datetime.fromisoformat(text), tz)
        except ValueError:
            logger.warning("date attribute %r is not an ISO date or datetime", value)
    return None


def _next_anniversary(original: date, on_or_after: date) -> date:
    def in_year(year: int) -> date:
        try:
            return original.replace(year=year)
        except ValueError:  # 29 February in a common year: celebrate on the 28th
            return date(year, 2, 28)

    candidate = in_year(on_or_after.year)
    return candidate if candidate >= on_or_after else in_year(on_or_after.year + 1)


def step_due_time(step: Step, trigger_at: datetime, tz: tzinfo = DEFAULT_TZ,
                  attributes: Mapping[str, object] | None = None) -> datetime | None:
    """When a step falls due, before quiet hours and caps; None if its date attribute is missing.

    - `after = "3d"` (no `of`): trigger time + 3 days; with `at = "10:00"` it is 10:00 local on
      that date ("day 3 at 10:00"), moved a day later if that would precede the trigger.
    - `after`/`before` with `of = "class_start"`: relative to that attribute; with `at`, the
      time of day is replaced, staying on the right side of the attribute.
    - `on = "birthday"`: that date at `at` (midnight without it). A date-only value in the past
      means its next anniversary on or after the trigger date, so birthdays work; future dates
      are used as they are.

    `attributes` is the caller's merge of event data over customer attributes.
    """
    _require_aware(trigger_at, "trigger_at")
    trigger_local = trigger_at.astimezone(tz)
    attributes = attributes or {}

    reference: datetime | date | None = trigger_local
    attribute = step.of or step.on
    if attribute is not None:
        reference = attribute_value(attributes.get(attribute), tz)
        if reference is None:
            return None

    if step.on is not None:
        if isinstance(reference, datetime):
            return local_datetime(reference.date(), step.at, tz) if step.at else reference
        if reference < trigger_local.date():
            reference = _next_anniversary(reference, trigger_local.date())
        return local_datetime(reference, step.at or time(0, 0), tz)

    base = reference if isinstance(reference, datetime) else local_datetime(reference, time(0, 0), tz)
    if step.before is not None:
        due = _add_wall(base, -step.before, tz)
        if step.at is not None:
            due = local_datetime(due.date(), step.at, tz)
            if due > base:  # "0d before class_start at 19:00" means the evening before
                due = _add_wall(due, -timedelta(days=1), tz)
        return due

    due = _add_wall(base, step.after or timedelta(), tz)
    if step.at is not None:
        due = local_datetime(due.date(), step.at, tz)
        if due < base:  # never before what it follows: "0d at 10:00" after 15:00 is tomorrow
            due = _add_wall(due, timedelta(days=1), tz)
    return due


# --- quiet hours ------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuietHours:
    """A daily window [start, end) of local time in which nothing is sent; may wrap midnight."""

    start: time = time(21, 30)
    end: time = time(8, 30)
    tz: tzinfo = DEFAULT_TZ

    def contains(self, dt: datetime) -> bool:
        _require_aware(dt, "dt")
        now = dt.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def next_allowed(self, dt: datetime) -> datetime:
        """`dt` itself if sending is allowed then, else the end of the quiet window it falls in."""
        if not self.contains(dt):
            return dt
        local = dt.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)  # late evening: the window ends tomorrow morning
        return local_datetime(day, self.end, self.tz)

    def last_allowed_before(self, dt: datetime) -> datetime:
        """For a `dt` inside quiet hours: the last minute before they began."""
        local = dt.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) < self.end:
            day -= timedelta(days=1)  # early morning: the window began yesterday evening
        return local_datetime(day, self.start, self.tz) - timedelta(minutes=1)


# --- frequency caps ---------------------------------------------------------------------------

def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # weeks run Monday to Sunday, as in China


def _check_limits(per_day: int | None, per_week: int | None) -> None:
    for name, limit in (("per_day", per_day), ("per_week", per_week)):
        if limit is not None and limit < 1:
            raise ValueError(f"{name} must be at least 1, got {limit}")


def _counts(sent_times: Iterable[datetime], at: datetime, tz: tzinfo) -> tuple[int, int]:
    day = at.astimezone(tz).date()
    week = _week_start(day)
    per_day = per_week = 0
    for sent in sent_times:
        _require_aware(sent, "sent time")
        sent_day = sent.astimezone(tz).date()
        if _week_start(sent_day) == week:
            per_week += 1
            per_day += sent_day == day
    return per_day, per_week


def cap_allows(sent_times: Sequence[datetime], at: datetime, per_day: int | None = None,
               per_week: int | None = None, tz: tzinfo = DEFAULT_TZ) -> bool:
    """Whether one more send at `at` stays within the caps for its local day and week."""
    _require_aware(at, "at")
    _check_limits(per_day, per_week)
    day_count, week_count = _counts(sent_times, at, tz)
    return ((per_day is None or day_count < per_day)
            and (per_week is None or week_count < per_week))


def next_cap_slot(sent_times: Sequence[datetime], at: datetime, per_day: int | None = None,
                  per_week: int | None = None, tz: tzinfo = DEFAULT_TZ) -> datetime:
    """The earliest time at or after `at` when the caps allow a send (local midnight of a later
    day or Monday when deferred; apply quiet hours afterwards)."""
    _require_aware(at, "at")
    _check_limits(per_day, per_week)
    candidate = at
    # Each deferral moves past at least one local day holding sends, so this ends.
    while True:
        day_count, week_count = _counts(sent_times, candidate, tz)
        day = candidate.astimezone(tz).date()
        if per_week is not None and week_count >= per_week:
            candidate = local_datetime(_week_start(day) + timedelta(weeks=1), time(0, 0), tz)
        elif per_day is not None and day_count >= per_day:
            candidate = local_datetime(day + timedelta(days=1), time(0, 0), tz)
        else:
            return candidate


@dataclass(frozen=True)
class FrequencyCap:
    """Per-customer send limits for a local day and a local (Monday-based) week."""

    per_day: int | None = None
    per_week: int | None = None

    def __post_init__(self) -> None:
        _check_limits(self.per_day, self.per_week)

    def allows(self, sent_times: Sequence[datetime], at: datetime,
               tz: tzinfo = DEFAULT_TZ) -> bool:
        return cap_allows(sent_times, at, self.per_day, self.per_week, tz)

    def next_slot(self, sent_times: Sequence[datetime], at: datetime,
                  tz: tzinfo = DEFAULT_TZ) -> datetime:
        return next_cap_slot(sent_times, at, self.per_day, self.per_week, tz)


def next_send_time(at: datetime, quiet_hours: QuietHours | None = None,
                   caps: Sequence[tuple[FrequencyCap, Sequence[datetime]]] = (),
                   tz: tzinfo = DEFAULT_TZ) -> datetime:
    """Defer `at` until quiet hours and every (cap, counted send times) pair all allow it.

    Pass the global cap with all of the customer's sends and the playbook's cap with that
    playbook's sends. Deferring only ever moves forward, so nothing is dropped here; skipping
    instead of deferring is the caller's decision (`Caps.over_cap`).
    """
    _require_aware(at, "at")
    candidate = at
    for _ in range(1000):  # each pass moves forward or stops; the bound guards bad input
        moved = quiet_hours.next_allowed(candidate) if quiet_hours else candidate
        for cap, sent_times in caps:
            moved = cap.next_slot(sent_times, moved, tz)
        if moved == candidate:
            return candidate
        candidate = moved
    raise RuntimeError(f"could not find a send time after {at.isoformat()}")
