"""Pure time math: durations, due times, quiet hours and frequency caps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.playbooks.schema import Step
from bot.playbooks.timing import (FrequencyCap, QuietHours, cap_allows, next_cap_slot, next_send_time, parse_duration,
    step_due_time)

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def step(**fields: object) -> Step:
    return Step.model_validate({"id": "s", "channels": ["kf"], "text": "hi", **fields})


@pytest.mark.parametrize(("text", "expected"), [
    ("30m", timedelta(minutes=30)), ("1h", timedelta(hours=1)), ("3d", timedelta(days=3)),
    ("2w", timedelta(weeks=2)), ("1d12h", timedelta(days=1, hours=12)), ("0d", timedelta()),
    (" 90S ", timedelta(seconds=90)),
])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "d", "3 days", "1.5h", "-1d"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match='expected a duration like "3d"'):
        parse_duration(text)


# --- quiet hours ------------------------------------------------------------------------------

def test_quiet_hours_late_evening_defers_to_next_morning() -> None:
    quiet = QuietHours()
    assert quiet.next_allowed(sh(2025, 3, 10, 22, 15)) == sh(2025, 3, 11, 8, 30)
    assert quiet.next_allowed(sh(2025, 3, 10, 21, 30)) == sh(2025, 3, 11, 8, 30)


def test_quiet_hours_early_morning_defers_same_day() -> None:
    assert QuietHours().next_allowed(sh(2025, 3, 11, 2, 0)) == sh(2025, 3, 11, 8, 30)


def test_quiet_hours_month_and_year_wrap() -> None:
    assert QuietHours().next_allowed(sh(2025, 12, 31, 23, 59)) == sh(2026, 1, 1, 8, 30)


def test_allowed_times_pass_unchanged_and_nothing_is_dropped() -> None:
    quiet = QuietHours()
    assert quiet.next_allowed(sh(2025, 3, 10, 8, 30)) == sh(2025, 3, 10, 8, 30)
    assert quiet.next_allowed(sh(2025, 3, 10, 21, 29)) == sh(2025, 3, 10, 21, 29)
    start = sh(2025, 3, 10, 0, 0)
    for minute in range(0, 48 * 60, 7):  # every time of two days yields a later allowed time
        dt = start + timedelta(minutes=minute)
        allowed = quiet.next_allowed(dt)
        assert allowed >= dt and not quiet.contains(allowed)
        assert allowed - dt <= timedelta(hours=11)


def test_quiet_hours_compare_in_local_time_for_utc_input() -> None:
    # 14:00 UTC is 22:00 in Shanghai
    allowed = QuietHours().next_allowed(datetime(2025, 3, 10, 14, 0, tzinfo=UTC))
    assert allowed == sh(2025, 3, 11, 8, 30)


def test_quiet_hours_in_utc_config() -> None:
    quiet = QuietHours(start=time(22, 0), end=time(7, 0), tz=UTC)
    assert quiet.next_allowed(datetime(2025, 3, 10, 23, 0, tzinfo=UTC)) == \
        datetime(2025, 3, 11, 7, 0, tzinfo=UTC)
    assert not quiet.contains(datetime(2025, 3, 10, 12, 0, tzinfo=UTC))


def test_daytime_window_and_disabled_window() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(13, 30))
    assert lunch.next_allowed(sh(2025, 3, 10, 12, 45)) == sh(2025, 3, 10, 13, 30)
    assert lunch.next_allowed(sh(2025, 3, 10, 22, 0)) == sh(2025, 3, 10, 22, 0)
    never = QuietHours(start=time(0, 0), end=time(0, 0))
    assert never.next_allowed(sh(2025, 3, 10, 3, 0)) == sh(2025, 3, 10, 3, 0)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        QuietHours().next_allowed(datetime(2025, 3, 10, 22, 0))


# --- step due times ---------------------------------------------------------------------------

def test_day_n_at_ten() -> None:
    treated = sh(2025, 3, 10, 16, 45)
    assert step_due_time(step(after="3d", at="10:00"), treated, SH) == sh(2025, 3, 13, 10, 0)
    assert step_due_time(step(after="1d"), treated, SH) == sh(2025, 3, 11, 16, 45)


def test_same_day_at_never_precedes_trigger() -> None:
    assert step_due_time(step(after="0d", at="10:00"), sh(2025, 3, 10, 15, 0), SH) == \
        sh(2025, 3, 11, 10, 0)
    assert step_due_time(step(after="0d", at="10:00"), sh(2025, 3, 10, 3, 0), SH) == \
        sh(2025, 3, 10, 10, 0)


def test_before_an_event_attribute() -> None:
    attributes = {"class_start": "2025-03-12T19:00:00+08:00"}
    created = sh(2025, 3, 1, 9, 0)
    assert step_due_time(step(before="1h", of="class_start"), created, SH, attributes) == \
        sh(2025, 3, 12, 18, 0)
    assert step_due_time(step(before="24h", of="class_start"), created, SH, attributes) == \
        sh(2025, 3, 11, 19, 0)


def test_before_with_time_of_day_stays_before_the_attribute() -> None:
    attributes = {"class_start": sh(2025, 3, 12, 9, 0)}
    due = step_due_time(step(before="0d", of="class_start", at="19:00"),
                        sh(2025, 3, 1, 9, 0), SH, attributes)
    assert due == sh(2025, 3, 11, 19, 0)  # the evening before, not after the class


def test_after_an_attribute() -> None:
    attributes = {"class_end": "2025-03-12 20:30"}  # naive: read as local time
    due = step_due_time(step(after="2h", of="class_end"), sh(2025, 3, 1), SH, attributes)
    assert due == sh(2025, 3, 12, 22, 30)


def test_missing_or_unreadable_attribute_gives_none() -> None:
    trigger = sh(2025, 3, 1, 9, 0)
    assert step_due_time(step(before="1h", of="class_start"), trigger, SH, {}) is None
    assert step_due_time(step(before="1h", of="class_start"), trigger, SH,
                         {"class_start": "next tuesday"}) is None
    assert step_due_time(step(on="birthday", at="10:00"), trigger, SH, None) is None


def test_on_birthday_uses_next_anniversary() -> None:
    attributes = {"birthday": date(1990, 3, 20)}
    assert step_due_time(step(on="birthday", at="10:00"), sh(2025, 3, 1), SH, attributes) == \
        sh(2025, 3, 20, 10, 0)
    assert step_due_time(step(on="birthday", at="10:00"), sh(2025, 4, 1), SH, attributes) == \
        sh(2026, 3, 20, 10, 0)
    leap = {"birthday": "2000-02-29"}
    assert step_due_time(step(on="birthday", at="10:00"), sh(2025, 1, 1), SH, leap) == \
        sh(2025, 2, 28, 10, 0)


def test_on_future_date_is_used_as_is() -> None:
    attributes = {"appointment_day": "2026-06-01"}
    assert step_due_time(step(on="appointment_day", at="09:00"), sh(2025, 3, 1), SH,
                         attributes) == sh(2026, 6, 1, 9, 0)


def test_utc_configuration() -> None:
    trigger = datetime(2025, 3, 10, 23, 0, tzinfo=UTC)  # 07:00 on the 11th in Shanghai
    assert step_due_time(step(after="1d", at="10:00"), trigger, UTC) == \
        datetime(2025, 3, 11, 10, 0, tzinfo=UTC)
    assert step_due_time(step(after="1d", at="10:00"), trigger, SH) == sh(2025, 3, 12, 10, 0)


def test_shanghai_has_no_dst_but_other_zones_keep_wall_time() -> None:
    assert step_due_time(step(after="1d"), sh(2025, 3, 8, 10, 0), SH) == sh(2025, 3, 9, 10, 0)
    ny = ZoneInfo("America/New_York")  # DST starts 2025-03-09
    due = step_due_time(step(after="1d", at="10:00"), datetime(2025, 3, 8, 9, 0, tzinfo=ny), ny)
    assert due == datetime(2025, 3, 9, 10, 0, tzinfo=ny)
    assert due.utcoffset() == timedelta(hours=-4)


def test_trigger_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        step_due_time(step(after="1d"), datetime(2025, 3, 10), SH)


# --- frequency caps ---------------------------------------------------------------------------

def test_cap_allows_per_day_in_local_days() -> None:
    sent = [sh(2025, 3, 10, 9, 0), sh(2025, 3, 10, 15, 0)]
    assert not cap_allows(sent, sh(2025, 3, 10, 20, 0), per_day=2)
    assert cap_allows(sent, sh(2025, 3, 11, 9, 0), per_day=2)
    assert cap_allows(sent, sh(2025, 3, 10, 20, 0), per_day=3)
    assert cap_allows(sent, sh(2025, 3, 10, 20, 0))  # no caps


def test_local_day_boundary_differs_from_utc() -> None:
    sent = [datetime(2025, 3, 10, 17, 0, tzinfo=UTC)]  # 01:00 on the 11th in Shanghai
    at = sh(2025, 3, 11, 12, 0)
    assert not cap_allows(sent, at, per_day=1, tz=SH)
    assert cap_allows(sent, at, per_day=1, tz=UTC)


def test_next_cap_slot_defers_to_next_day() -> None:
    sent = [sh(2025, 3, 10, 9, 0)]
    assert next_cap_slot(sent, sh(2025, 3, 10, 12, 0), per_day=1) == sh(2025, 3, 11, 0, 0)
    assert next_cap_slot(sent, sh(2025, 3, 11, 12, 0), per_day=1) == sh(2025, 3, 11, 12, 0)


def test_per_week_cap_defers_to_monday() -> None:
    # 2025-03-10 is a Monday
    sent = [sh(2025, 3, 10, 10, 0), sh(2025, 3, 12, 10, 0)]
    assert next_cap_slot(sent, sh(2025, 3, 14, 10, 0), per_week=2) == sh(2025, 3, 17, 0, 0)


def test_daily_cap_skips_over_several_full_days() -> None:
    sent = [sh(2025, 3, 10, 10, 0), sh(2025, 3, 11, 10, 0), sh(2025, 3, 12, 10, 0)]
    assert next_cap_slot(sent, sh(2025, 3, 10, 11, 0), per_day=1) == sh(2025, 3, 13, 0, 0)


def test_next_send_time_combines_caps_and_quiet_hours() -> None:
    sent = [sh(2025, 3, 10, 9, 0)]
    due = next_send_time(sh(2025, 3, 10, 12, 0), QuietHours(),
                         [(FrequencyCap(per_day=1), sent), (FrequencyCap(per_week=5), sent)])
    assert due == sh(2025, 3, 11, 8, 30)  # midnight is quiet, so the morning after
    assert next_send_time(sh(2025, 3, 10, 23, 0), QuietHours()) == sh(2025, 3, 11, 8, 30)


def test_caps_must_be_positive() -> None:
    with pytest.raises(ValueError):
        FrequencyCap(per_day=0)


@pytest.mark.parametrize("text", ["1y", "2mo", "1月", "3个月"])
def test_months_and_years_are_refused_with_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match=r'not duration units .* write days \("30d"\)'):
        parse_duration(text)
