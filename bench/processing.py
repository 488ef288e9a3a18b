"""Processing after the ack: how many stored customer texts one process routes a second.

The pushes are stored first (as the webhook stores them, untimed); then the batch processor
routes them (customer looked up or created, message stored, tagging and playbook hooks, the
forward to the customer's guide with suggested replies, queued as a task that is not run) and
the bench times it, once with batches of one callback and once with the
configured batch size, in one process, on SQLite or a scratch PostgreSQL database.

    .venv/bin/python bench/processing.py [--n 3000] [--customers 1000] [--postgres URL] [--profile]

Target (issue 14): at least 500 customer texts a second per process in batches.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import webhook as wb  # noqa: E402  (the app and the texts as bench/webhook.py builds them)
from sqlalchemy import func, select  # noqa: E402

from bot.models import Callback, Message  # noqa: E402
from bot.runtime import Runtime  # noqa: E402

TARGET = 500
GUIDES = 20


def store(runtime: Runtime, first_msgid: int, count: int, customers: int) -> None:
    """Customer texts stored as the webhook stores them (not timed)."""
    now = int(time.time())
    for i in range(count):
        sender = f"oProc{(i * 7919) % customers:07d}qXyZ9kLmN0p"
        xml = wb.text_xml(wb.MP_ORIGINAL_ID, sender, wb.CUSTOMER_TEXTS[i % len(wb.CUSTOMER_TEXTS)],
                          first_msgid + i, now)
        runtime.inbox.accept("mp", xml)


def drained(runtime: Runtime, batch_size: int, profile: cProfile.Profile | None = None) -> tuple[int, float, float]:
    """Run the processor with `batch_size` until nothing is left; (callbacks, wall s, CPU s)."""
    runtime.processor.config = runtime.config.inbound.model_copy(update={"batch_size": batch_size})
    started, cpu = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    done = runtime.processor.drain(max_batches=10**6)
    if profile is not None:
        profile.disable()
    return done, time.perf_counter() - started, time.process_time() - cpu


def bench(n: int, customers: int, database_url: str, database: str, profile: bool) -> dict[str, Any]:
    app = wb.siyu_app(database_url, wb.new_aes_key(), wb.new_aes_key())
    runtime: Runtime = app.extensions["siyu"]
    runtime.processor.stop()
    runtime.tasks.stop()  # the guides' forwards are queued as tasks; sending them is not measured
    runtime.processor.wake_tasks = None
    with runtime.db.session() as session:  # guides, so that each text is forwarded as in production
        for g in range(GUIDES):
            runtime.customers(session).staff(f"guide{g:02d}", f"导购{g}")
    batch_size = runtime.config.inbound.batch_size
    rates: dict[str, float] = {}
    cpu_rates: dict[str, float] = {}
    profiler = cProfile.Profile() if profile else None
    try:
        msgid = time.time_ns() // 1000
        store(runtime, msgid, customers, customers)  # every customer exists before timing: a steady state
        drained(runtime, batch_size)
        for label, size, count in (("single", 1, n // 4), ("batched", batch_size, n)):
            msgid += 10 * n
            store(runtime, msgid, count, customers)
            done, seconds, cpu = drained(runtime, size, profiler if label == "batched" else None)
            assert done == count, f"{label}: processed {done} of {count}"
            rates[label], cpu_rates[label] = done / seconds, done / cpu
        with runtime.db.session() as session:
            waiting = session.scalar(select(func.count()).where(Callback.status != "processed"))
            messages = session.scalar(select(func.count()).where(Message.direction == "in"))
        expected = customers + n // 4 + n
        assert waiting == 0, f"{waiting} callbacks not processed"
        assert messages == expected, f"{messages} messages stored, expected {expected}"
    finally:
        runtime.close()
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    return {"bench": "processing", "database": database, "n": n, "customers": customers,
            "batch_size": batch_size, "single_msgs_per_s": round(rates["single"], 1),
            "batched_msgs_per_s": round(rates["batched"], 1),
            "single_msgs_per_cpu_s": round(cpu_rates["single"], 1),
            "batched_msgs_per_cpu_s": round(cpu_rates["batched"], 1),
            "batch_gain": round(rates["batched"] / rates["single"], 2), "target_msgs_per_s": TARGET}


def table(f: dict[str, Any]) -> str:
    return "\n".join([
        f"processing bench: {f['n']} customer texts from {f['customers']} customers, {f['database']}",
        f"{'batch':<10} {'msgs/s':>10} {'msgs/CPU s':>11}",
        f"{'1':<10} {f['single_msgs_per_s']:>10.1f} {f['single_msgs_per_cpu_s']:>11.1f}",
        f"{f['batch_size']:<10} {f['batched_msgs_per_s']:>10.1f} {f['batched_msgs_per_cpu_s']:>11.1f}",
        f"batched/single: {f['batch_gain']:.2f}x   target: {TARGET} msgs/s batched",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="texts processed in batches")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (a role with CREATEDB)")
    parser.add_argument("--profile", action="store_true", help="cProfile of the batched run to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    database = "postgresql" if args.postgres else "sqlite"
    with wb.postgres_database(args.postgres) if args.postgres else wb.sqlite_database() as url:
        figures = bench(args.n, args.customers, url, database, args.profile)
    print(table(figures))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
