"""How long each background job holds SQLite's write lock, on a database of many customers.

Seeds a file-backed SQLite with `--customers` customers and `--messages` messages (bench/scale.py's
seed: tags, guides, messages, events, finished journeys), then runs each scheduled job once as the
scheduler would, in this process, nothing else running: behaviour recompute, settle_profiles over
a tenth of the customers marked stale, the quiet-customers scan (the shipped re-engagement
playbook: everyone is quiet for 10 days or more in the seed... some for 14), the schedule scan (a
playbook whose audience is everyone), and finish_enrolments. For each it prints its write
transactions: how many, and how long each held the lock (p50, p99, max) in milliseconds, and the
job's wall time, and the CPU the job's thread spent inside each hold (on a shared machine the
wall time of a hold is mostly waiting for a CPU). Target: tens of milliseconds a hold. The last line is one JSON object.

    .venv/bin/python bench/job_locks.py [--customers 100000] [--messages 200000] [--jobs schedule,finish_enrolments]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (bulk seeding)
import webhook as wb  # noqa: E402  (the bot as siyu serve builds it)
from cron_webhook import PLAYBOOK, LockHolds, percentile_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
JOBS = ("recompute_behaviour", "settle_profiles", "inactive", "schedule", "finish_enrolments")


def measured(holds: LockHolds, name: str, job: Callable[[], Any]) -> dict[str, Any]:
    holds.scan.clear()
    holds.scan_cpu.clear()
    holds.armed = True
    started = time.monotonic()
    result = job()
    seconds = time.monotonic() - started
    holds.armed = False
    return {"job": name, "result": result, "seconds": round(seconds, 2), "transactions": len(holds.scan),
            "p50_ms": percentile_ms(holds.scan, 0.5), "p99_ms": percentile_ms(holds.scan, 0.99),
            "max_ms": round(max(holds.scan, default=0) * 1000, 1), "cpu_p50_ms": percentile_ms(holds.scan_cpu, 0.5),
            "cpu_p99_ms": percentile_ms(holds.scan_cpu, 0.99),
            "cpu_max_ms": round(max(holds.scan_cpu, default=0) * 1000, 1), "load_average": round(os.getloadavg()[0], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--jobs", default=",".join(JOBS),
                        help=f"which jobs, comma-separated, in this order: {', '.join(JOBS)}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    from sqlalchemy import select, update

    from bot.models import Customer, PlaybookVersion

    with tempfile.TemporaryDirectory(prefix="siyu-jobs-") as directory:
        playbooks_dir = Path(directory) / "playbooks"
        shutil.copytree(ROOT / "playbooks", playbooks_dir, ignore=shutil.ignore_patterns("examples"))
        (playbooks_dir / "everyone.toml").write_text(PLAYBOOK, encoding="utf-8")
        wb.PLAYBOOKS_DIR = playbooks_dir
        app = wb.siyu_app(f"sqlite:///{directory}/siyu.db", wb.new_aes_key(), wb.new_aes_key())
        runtime = app.extensions["siyu"]
        runtime.processor.stop()
        db, now = runtime.db, runtime.clock.now()
        with db.session() as session:
            version_id = session.scalar(select(PlaybookVersion.id)
                                        .where(PlaybookVersion.playbook_id == "welcome-series"))
        seeded = scale.seed(db.engine, args.customers, args.messages, version_id, now)
        with db.session() as session:
            session.execute(update(Customer).where(Customer.id % 10 == 0).values(profile_stale=True))
        db.analyze(full=True)
        holds = LockHolds(db.engine, threading.current_thread().name)
        tagging, scanners = runtime.features["tagging"], runtime.features["playbooks"].scanners
        runs = {"recompute_behaviour": ("recompute_behaviour", tagging.recompute_all),
                "settle_profiles": ("settle_profiles", tagging.settle_profiles),
                "inactive": ("inactive scan", scanners.run_inactive),
                "schedule": ("schedule scan", scanners.run_schedules),
                "finish_enrolments": ("finish_enrolments", scanners.finish_enrolments)}
        chosen = [name for name in JOBS if name in args.jobs.split(",")]
        jobs = [measured(holds, *runs[name]) for name in chosen]
        runtime.close()
    print(f"{'job':<20} {'result':>8} {'seconds':>8} {'writes':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   "
          f"CPU inside: {'p50':>6} {'p99':>6} {'max':>6}  load")
    for j in jobs:
        print(f"{j['job']:<20} {j['result']:>8} {j['seconds']:>8} {j['transactions']:>7} {j['p50_ms']:>8} "
              f"{j['p99_ms']:>8} {j['max_ms']:>8}               {j['cpu_p50_ms']:>6} {j['cpu_p99_ms']:>6} "
              f"{j['cpu_max_ms']:>6}  {j['load_average']}")
    print(json.dumps({"bench": "job_locks", "customers": seeded["customers"], "messages": seeded["messages"],
                      "jobs": jobs}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
