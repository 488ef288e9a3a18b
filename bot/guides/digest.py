"""The morning digest: each guide with open follow-up tasks gets one app message listing them.

A job every minute looks for the latest `[scheduler] guide_digest_at` (local time). The first
worker to claim that fire in `cron_fires` queues one `guide_digest` task per guide in the same
transaction; the task runner sends them after the commit, through the Outbound, retrying passing
refusals. A worker that was down at that time still sends the digest up to `GRACE` later.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.jobs.claims import claim_fire, latest_fire
from bot.jobs.tasks import TaskQueue
from bot.models import Staff
from bot.playbooks.outbox import new_worker_id
from bot.guides.tasks import GuideTaskService
from bot.wechat.outbound import Outbound

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

JOB = "guide_digest"
CHECK_INTERVAL_SECONDS = 60
# A digest missed by more than this (every worker was down) is not sent late that day.
GRACE = timedelta(hours=1)
HEADING = "早上好！今日跟进任务"


class GuideDigest:
    def __init__(self, db: Database, config: Config, clock: Clock, worker_id: str = "") -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.worker_id = worker_id

    def run(self) -> int:
        """Queue today's digest once across workers; returns how many guides get one."""
        at = self.config.scheduler.guide_digest_time
        if at is None:
            return 0
        daily = CronTrigger(hour=at.hour, minute=at.minute, timezone=self.config.scheduler.tz)
        fire = latest_fire(daily, self.clock.now(), GRACE)
        if fire is None:
            return 0
        with self.db.session() as session:
            if not claim_fire(session, JOB, fire, self.worker_id, self.clock.now()):
                return 0
            guides = GuideTaskService(session, self.clock).guides_with_open_tasks()
            queue = TaskQueue(session, self.clock)
            for staff in guides:
                queue.enqueue(JOB, f"{JOB}:{fire.isoformat()}:{staff.id}", {"staff_id": staff.id})
        logger.info("guide digest of %s queued for %s guides", fire.isoformat(), len(guides))
        return len(guides)


def send_guide_digest(payload: dict[str, Any], db: Database, clock: Clock, outbound: Outbound,
                      config: Config) -> None:
    """The task: list the guide's tasks still open now (some may have been closed since 09:00) and
    due by the end of today: a task snoozed to a later day waits for that day's digest."""
    local = clock.now().astimezone(config.scheduler.tz)
    end_of_today = datetime.combine(local.date() + timedelta(days=1), time(0), local.tzinfo)
    with db.session() as session:
        staff = session.get(Staff, payload["staff_id"])
        if staff is None:
            return
        tasks = GuideTaskService(session, clock).open_tasks(staff, due_by=end_of_today)
        userid, open_tasks = staff.userid, tasks
    if open_tasks.total:
        outbound.send_app_text(userid, open_tasks.text(HEADING), channel=JOB).settled("message/send")


def install(runtime: "Runtime") -> None:
    from bot.jobs.spec import JobSpec

    digest = GuideDigest(runtime.db, runtime.config, runtime.clock, worker_id=new_worker_id())
    runtime.features[JOB] = digest
    runtime.tasks.functions[JOB] = send_guide_digest
    if runtime.config.scheduler.guide_digest_time is not None:
        runtime.jobs.append(JobSpec(JOB, digest.run, "interval", {"seconds": CHECK_INTERVAL_SECONDS}))
