"""The morning digest: once a day at `[scheduler] guide_digest_at`, one app message per guide with
open follow-up tasks, once across workers, moved by the clock rather than by sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.guides.digest import HEADING, GuideDigest
from bot.jobs.scheduler import core_jobs
from tests.support.guide_tasks import open_task, wecom_customer
from tests.support.guides import SETTLE_SECONDS, say
from tests.support.harness import Harness

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, tzinfo=SH)


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return MONDAY + timedelta(days=days, hours=hour, minutes=minute)


def digests(h: Harness, guide: str) -> list[str]:
    return [text for text in h.sim.delivered(api="message/send", to=guide) if text.startswith(HEADING)]


def run_digest(h: Harness) -> int:
    """What the scheduler's job does each minute, then the task runner sending what it queued."""
    queued = h.runtime.features["guide_digest"].run()
    h.settle(timeout=SETTLE_SECONDS)
    return queued


@pytest.fixture
def h(frozen_harness: Harness, clock: FrozenClock) -> Harness:
    """The bot and the simulator on Monday 08:00 local time."""
    clock.set(at(8, 0))
    return frozen_harness


def test_the_digest_goes_out_once_at_nine_local_time(h: Harness, clock: FrozenClock) -> None:
    wang = wecom_customer(h, "王女士")
    first = open_task(h, wang, text="王女士您好，术后第一天感觉如何？")
    second = open_task(h, wecom_customer(h, "赵先生"), text="赵先生，课程明天开始，记得带上证件。")
    clock.set(at(8, 59))
    assert run_digest(h) == 0
    assert digests(h, "guide_li") == []
    clock.set(at(9, 0))
    assert run_digest(h) == 1
    [digest] = digests(h, "guide_li")
    assert digest.splitlines()[:3] == [f"{HEADING}（共 2 条）：", f"{first}. 王女士：王女士您好，术后第一天感觉如何？",
                                       f"{second}. 赵先生：赵先生，课程明天开始，记得带上证件。"]
    assert f"「完成 {first}」" in digest
    clock.set(at(9, 1))
    assert run_digest(h) == 0                                           # this morning's is done
    assert len(digests(h, "guide_li")) == 1
    assert digests(h, "guide_wang") == []                               # no open tasks, no digest
    clock.set(at(9, 0, days=1))
    assert run_digest(h) == 1                                           # the next morning, again
    assert len(digests(h, "guide_li")) == 2


def test_several_workers_send_it_once(h: Harness, clock: FrozenClock) -> None:
    open_task(h, wecom_customer(h, "王女士"))
    clock.set(at(9, 0))
    workers = [GuideDigest(h.db, h.config, clock, worker_id=name) for name in ("worker-a", "worker-b")]
    assert [worker.run() for worker in workers] == [1, 0]
    h.settle(timeout=SETTLE_SECONDS)
    assert len(digests(h, "guide_li")) == 1


def test_a_worker_started_late_still_sends_it_within_the_hour(h: Harness, clock: FrozenClock) -> None:
    open_task(h, wecom_customer(h, "王女士"))
    clock.set(at(10, 1))
    assert run_digest(h) == 0                                           # more than an hour late: not today
    clock.set(at(9, 59, days=1))
    assert run_digest(h) == 1


def test_no_open_tasks_no_digest(h: Harness, clock: FrozenClock) -> None:
    say(h, "guide_li", f"完成 {open_task(h, wecom_customer(h, '王女士'))}")
    clock.set(at(9, 0))
    assert run_digest(h) == 0
    assert digests(h, "guide_li") == []


def test_a_task_closed_before_the_digest_is_sent_is_left_out(h: Harness, clock: FrozenClock) -> None:
    task = open_task(h, wecom_customer(h, "王女士"))
    clock.set(at(9, 0))
    assert h.runtime.features["guide_digest"].run() == 1                # queued, not sent yet
    say(h, "guide_li", f"完成 {task}")
    assert digests(h, "guide_li") == []


@pytest.fixture
def without_digest(database_url: str, clock: FrozenClock) -> Iterator[Harness]:
    harness = Harness(database_url, clock=clock, scheduler={"guide_digest_at": ""})
    yield harness
    harness.close()


def test_an_empty_time_switches_the_digest_off(without_digest: Harness, clock: FrozenClock) -> None:
    h = without_digest
    open_task(h, wecom_customer(h, "王女士"))
    clock.set(at(9, 0))
    assert run_digest(h) == 0
    assert digests(h, "guide_li") == []
    assert "guide_digest" not in [job.id for job in core_jobs(h.runtime)]
    assert "每天" not in say(h, "guide_li", "帮助")


def test_the_digest_job_is_scheduled_when_configured(h: Harness) -> None:
    assert "guide_digest" in [job.id for job in core_jobs(h.runtime)]


def test_a_task_snoozed_to_a_later_day_waits_for_that_days_digest(h: Harness, clock: FrozenClock) -> None:
    from tests.support.guides import say

    wang = wecom_customer(h, "王女士")
    today, later = open_task(h, wang, text="今天跟进"), open_task(h, wang, text="明天再说")
    assert say(h, "guide_li", f"稍后 {later} 明天10点").startswith(f"好的，任务 {later} 将在 11-03 10:00")
    clock.set(at(9, 0))
    run_digest(h)
    [digest] = digests(h, "guide_li")
    assert f"{today}. 王女士：今天跟进" in digest and "明天再说" not in digest
    clock.set(at(9, 0, days=1))
    run_digest(h)
    assert "明天再说" in digests(h, "guide_li")[-1]
