"""Scheduler benchmark: Siyu's outbox against one APScheduler date job per reminder.

Prints, in one run:
- ours: deliveries enqueued per second (through the enrolment engine, 4 steps per enrolment, on
  SQLite), dispatched per second through a no-op channel (claim, re-check, render, mark: everything
  but the WeChat call), and peak RSS with N scheduled deliveries in the database;
- naive: APScheduler 3 `add_job(..., "date")` per reminder into a SQLAlchemyJobStore on SQLite
  (enqueue rate measured on a sample through add_job; the rest of the N jobs are written with the
  job store's own pickled format in bulk, to get there in reasonable time), dispatched per second
  (a no-op job function, the default thread pool), and peak RSS with N jobs stored;
- the ratio of dispatch rates (ours over naive).

Each side runs in its own process so that peak RSS (`resource.getrusage(RUSAGE_SELF).ru_maxrss`)
belongs to it alone. `--quick` runs 20k scheduled / 4k dispatched in well under a minute; the
default is 1,000,000 scheduled / 20,000 dispatched. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import pickle
import resource
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLAYBOOK = """
id = "bench"
name = "bench"

[trigger]
event = "bench"

[audience]
reentry = "always"

[[steps]]
id = "d1"
after = "1d"
channels = ["kf"]
text = "{{ customer.name }}您好，第一天"

[[steps]]
id = "d2"
after = "2d"
channels = ["kf"]
text = "{{ customer.name }}您好，第二天"

[[steps]]
id = "d3"
after = "3d"
channels = ["kf"]
text = "{{ customer.name }}您好，第三天"

[[steps]]
id = "d4"
after = "4d"
channels = ["kf"]
text = "{{ customer.name }}您好，第四天"
"""
STEPS = 4
WARM_UP = 200  # deliveries dispatched before timing starts (not counted)
SECOND = timedelta(seconds=1)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- ours ------------------------------------------------------------------------------------------

def run_ours(scheduled: int, dispatched: int, workdir: str) -> dict[str, Any]:
    from sqlalchemy import insert, select, update

    from bot.clock import Clock
    from bot.config import config_from_dict
    from bot.db import Database
    from bot.models import Customer, Delivery
    from bot.playbooks.channels import NoopChannel
    from bot.playbooks.engine import PlaybookEngine
    from bot.playbooks.loader import parse_playbook, playbook_content_hash
    from bot.playbooks.outbox import Outbox
    from bot.playbooks.registry import active_playbooks, import_version
    from bot.schema import upgrade

    url = f"sqlite:///{workdir}/ours.db"
    config = config_from_dict({"database": {"url": url}, "scheduler": {"quiet_hours": ["00:00", "00:00"]}})
    clock = Clock()
    db = Database(url, clock)
    upgrade(db)
    customers = scheduled // STEPS
    now = clock.now()
    with db.session() as session:
        import_version(session, parse_playbook(PLAYBOOK), PLAYBOOK, playbook_content_hash(PLAYBOOK))
        for start in range(0, customers, 10_000):  # in chunks: the setup must not inflate peak RSS
            session.execute(insert(Customer), [
                {"name": f"客户{i}", "external_userid": f"wm{i:07d}", "stage": "active", "value_tier": "low",
                 "opted_out": False, "attributes": {}, "first_seen_at": now, "created_at": now, "updated_at": now}
                for i in range(start, min(start + 10_000, customers))])
    engine = PlaybookEngine(config, clock)
    started = time.perf_counter()
    last_id = 0
    while True:
        with db.session() as session:
            [active] = active_playbooks(session)
            batch = list(session.scalars(select(Customer).where(Customer.id > last_id).order_by(Customer.id)
                                         .limit(2000)))
            if not batch:
                break
            for customer in batch:
                engine.enrol(session, customer, active, trigger_type="bench", trigger_at=now, data={})
            last_id = batch[-1].id
    enqueue_seconds = time.perf_counter() - started
    channels = {name: NoopChannel(name) for name in ("kf", "mp_custom", "mp_template", "wecom_mass", "guide_task")}
    outbox = Outbox(db, config, clock, channels)  # the default batch size, as `siyu worker` runs it
    with db.session() as session:
        # One step per customer falls due (several would meet the per-customer frequency cap).
        ids = list(session.scalars(select(Delivery.id).where(Delivery.step_id == "d1").order_by(Delivery.id)
                                   .limit(dispatched + WARM_UP)))
        session.execute(update(Delivery).where(Delivery.id.in_(ids[:WARM_UP])).values(due_at=now - SECOND))
    outbox.dispatch_due()  # a long-running worker has compiled its templates and warmed its caches
    with db.session() as session:
        session.execute(update(Delivery).where(Delivery.id.in_(ids[WARM_UP:])).values(due_at=now - SECOND))
    started = time.perf_counter()
    stats = outbox.dispatch_due()
    dispatch_seconds = time.perf_counter() - started
    assert stats.sent == dispatched, stats
    db.dispose()
    return {"enqueue_per_s": scheduled / enqueue_seconds, "dispatch_per_s": dispatched / dispatch_seconds,
            "peak_rss_mb": peak_rss_mb(), "db_mb": Path(f"{workdir}/ours.db").stat().st_size / 2**20}


# --- naive -----------------------------------------------------------------------------------------

_done = 0
_done_lock = threading.Lock()


def _remind(customer: int) -> None:
    global _done
    with _done_lock:
        _done += 1


def run_naive(scheduled: int, dispatched: int, sample: int, workdir: str) -> dict[str, Any]:
    from apscheduler.job import Job
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.date import DateTrigger
    from sqlalchemy import insert

    url = f"sqlite:///{workdir}/naive.db"
    store = SQLAlchemyJobStore(url=url)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    future = datetime.now(UTC) + timedelta(days=1)
    started = time.perf_counter()
    for i in range(sample):
        scheduler.add_job(_remind, "date", run_date=future + timedelta(seconds=i), args=[i], id=f"r{i}",
                          misfire_grace_time=None)
    enqueue_seconds = time.perf_counter() - started

    def bulk(first: int, count: int, when: datetime) -> None:
        rows = []
        for i in range(first, first + count):
            job = Job(scheduler, id=f"r{i}", func=_remind, args=[i], kwargs={}, trigger=DateTrigger(when, UTC),
                      executor="default", misfire_grace_time=None, coalesce=True, max_instances=1,
                      next_run_time=when, name="_remind")
            rows.append({"id": job.id, "next_run_time": when.timestamp(),
                         "job_state": pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL)})
            if len(rows) == 10_000:
                with store.engine.begin() as conn:
                    conn.execute(insert(store.jobs_t), rows)
                rows = []
        if rows:
            with store.engine.begin() as conn:
                conn.execute(insert(store.jobs_t), rows)

    bulk(sample, scheduled - sample - dispatched, future)
    due = datetime.now(UTC) - timedelta(seconds=1)
    bulk(scheduled - dispatched, dispatched, due)
    started = time.perf_counter()
    scheduler.resume()
    scheduler.wakeup()
    deadline = time.monotonic() + 600
    while _done < dispatched and time.monotonic() < deadline:
        time.sleep(0.005)
    dispatch_seconds = time.perf_counter() - started
    finished = _done
    scheduler.shutdown(wait=True)
    return {"enqueue_per_s": sample / enqueue_seconds, "dispatch_per_s": finished / dispatch_seconds,
            "dispatched": finished, "peak_rss_mb": peak_rss_mb(),
            "db_mb": Path(f"{workdir}/naive.db").stat().st_size / 2**20}


# --- driver ----------------------------------------------------------------------------------------

def _child(target: Any, args: tuple[Any, ...], queue: Any) -> None:
    logging.basicConfig(level=logging.WARNING)
    queue.put(target(*args))


def in_child(target: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except Exception:  # queue.Empty: still working, unless the child died
            if not process.is_alive():
                raise SystemExit(f"{target.__name__} failed (exit code {process.exitcode})") from None
    process.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k scheduled, 4k dispatched (under a minute)")
    parser.add_argument("--scheduled", type=int)
    parser.add_argument("--dispatched", type=int)
    args = parser.parse_args()
    scheduled = args.scheduled or (20_000 if args.quick else 1_000_000)
    dispatched = args.dispatched or (4_000 if args.quick else 20_000)
    sample = min(scheduled // 10, 2_000 if args.quick else 20_000)
    print(f"scheduler bench: {scheduled:,} scheduled, {dispatched:,} dispatched, SQLite files in a temp dir")
    with tempfile.TemporaryDirectory() as workdir:
        ours = in_child(run_ours, scheduled, dispatched, workdir)
        print(f"ours   enqueue {ours['enqueue_per_s']:>10,.0f}/s (enrolment engine, {STEPS} steps each)  "
              f"dispatch {ours['dispatch_per_s']:>8,.0f}/s (no-op channel)  "
              f"peak RSS {ours['peak_rss_mb']:,.0f} MB with {scheduled:,} scheduled")
        naive = in_child(run_naive, scheduled, dispatched, sample, workdir)
        print(f"naive  enqueue {naive['enqueue_per_s']:>10,.0f}/s (add_job, {sample:,} sample)      "
              f"dispatch {naive['dispatch_per_s']:>8,.0f}/s (no-op job)      "
              f"peak RSS {naive['peak_rss_mb']:,.0f} MB with {scheduled:,} stored")
    ratio = ours["dispatch_per_s"] / naive["dispatch_per_s"]
    print(f"dispatch ratio ours/naive: {ratio:.1f}x (target >= 10x); peak RSS measured with "
          f"resource.getrusage(RUSAGE_SELF).ru_maxrss in each side's own process")
    print(json.dumps({
        "scheduled": scheduled, "dispatched": dispatched, "dispatch_channel": "noop",
        "ours_enqueue_per_s": round(ours["enqueue_per_s"]), "ours_dispatch_per_s": round(ours["dispatch_per_s"]),
        "ours_peak_rss_mb": round(ours["peak_rss_mb"], 1),
        "naive_enqueue_per_s": round(naive["enqueue_per_s"]), "naive_dispatch_per_s": round(naive["dispatch_per_s"]),
        "naive_peak_rss_mb": round(naive["peak_rss_mb"], 1), "ratio": round(ratio, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
