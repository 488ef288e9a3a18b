"""Each scheduler writes a heartbeat row, so `siyu doctor` and /metrics can tell one is running.

Rows live in `shared_values` under `heartbeat:<worker id>` and expire after a few missed beats.
They follow the wall clock (like access tokens): liveness is about real processes, not the
business clock tests move.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import SharedValue

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

PREFIX = "heartbeat:"
INTERVAL = timedelta(seconds=30)
EXPIRES_AFTER = 3 * INTERVAL


@dataclass(frozen=True)
class WorkerBeat:
    worker_id: str
    host: str
    pid: int
    last_beat: datetime


class Heartbeat:
    """Writes this process's heartbeat row."""

    def __init__(self, db: Database, worker_id: str | None = None) -> None:
        self.db = db
        self.worker_id = worker_id or f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def beat(self) -> None:
        now = datetime.now(UTC)
        value = json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "at": now.isoformat()})
        with self.db.session() as session:
            row = session.get(SharedValue, PREFIX + self.worker_id)
            if row is None:
                session.add(SharedValue(key=PREFIX + self.worker_id, value=value, expires_at=now + EXPIRES_AFTER))
            else:
                row.value, row.expires_at = value, now + EXPIRES_AFTER

    def stop(self) -> None:
        """Remove the row on a clean shutdown (a crash leaves it to expire)."""
        with self.db.session() as session:
            row = session.get(SharedValue, PREFIX + self.worker_id)
            if row is not None:
                session.delete(row)


def live_workers(session: Session) -> list[WorkerBeat]:
    """Schedulers whose heartbeat has not expired."""
    now = datetime.now(UTC)
    rows = session.scalars(select(SharedValue).where(SharedValue.key.startswith(PREFIX),
                                                     SharedValue.expires_at > now)).all()
    beats = []
    for row in rows:
        try:
            data = json.loads(row.value)
            beats.append(WorkerBeat(row.key.removeprefix(PREFIX), str(data.get("host", "")), int(data.get("pid", 0)),
                                    datetime.fromisoformat(data["at"])))
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring an unreadable heartbeat row %s", row.key)
    return beats


def install(runtime: "Runtime") -> None:
    """Every scheduler built from this runtime beats at start and every INTERVAL."""
    from bot.jobs.spec import JobSpec

    heartbeat = Heartbeat(runtime.db)
    runtime.features["heartbeat"] = heartbeat
    runtime.jobs.append(JobSpec("heartbeat", heartbeat.beat, "interval",
                                {"seconds": INTERVAL.total_seconds(), "next_run_time": datetime.now(UTC)}))
