"""Console pages and the what-if at two sizes: does any page grow faster than the data?

Seeds N customers with a year of messages, events, deliveries and tasks (bot/analytics/sample.py)
into a fresh database for each size (SQLite, or a scratch PostgreSQL database with --postgres),
runs the daily rollups job once as the scheduler would, logs into the console with Flask's test
client and times each page (median of --repeat runs). Prints a table and one JSON line.

Each page gets two figures: wall-clock seconds, and CPU seconds spent on it by this process and,
on PostgreSQL, by the server's backends of the scratch database (read from /proc, the server runs
on this machine). On a machine shared with other work the wall clock mostly measures waiting for
a core; the CPU seconds are what the page costs.

    .venv/bin/python bench/console.py [--sizes 10000 100000] [--repeat 3] [--postgres URL] [--reuse-seed [DIR]]

Seeding 100,000 customers takes 10-15 minutes on a busy machine. --reuse-seed keeps the freshly
seeded (not yet rolled up) databases and starts later runs from a copy of them: SQLite files in DIR
(default var/bench-console/), on PostgreSQL template databases named console_seed_<size>_v<N> on
the server. Each run measures a copy, so the first rollups run is timed every time, over the schema
of the code being measured (the migrations run on the copy).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
import shutil
import sqlite3
import uuid
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import create_engine, make_url, select, text  # noqa: E402
from webhook import drop_database, postgres_database  # noqa: E402  (the scratch databases bench/webhook.py makes)
from bot.analytics.rollups import DailyRollups  # noqa: E402
from bot.analytics.sample import SampleSize, seed_history  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.clock import FrozenClock  # noqa: E402
from bot.config import config_from_dict  # noqa: E402
from bot.console.accounts import AccountService  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import ConsoleUser  # noqa: E402
from bot.schema import upgrade  # noqa: E402

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
PASSWORD = "bench-pass-1"
SEED_VERSION = 1  # bump when bot/analytics/sample.py changes what it seeds


def pages(customer_id: int) -> dict[str, str]:
    return {
        "dashboard": "/console/dashboard",
        "customers": "/console/customers",
        "customers_filtered": "/console/customers?stage=dormant&tier=high&channel=store_sh&active_days=90",
        "customers_page_50": "/console/customers?page=50",
        "customer_detail": f"/console/customers/{customer_id}",
        "playbooks": "/console/playbooks",
        "playbook_report": "/console/playbooks/sample-care/report",
        "whatif_re_engagement": "/console/playbooks/re-engagement/whatif",
        "whatif_welcome": "/console/playbooks/welcome-series/whatif",
    }


@contextmanager
def sqlite_database(size: int, cache: Path | None) -> Iterator[tuple[str, bool]]:
    """(url, already seeded): a temporary file, a copy of the cached seed when there is one."""
    with tempfile.TemporaryDirectory(prefix="siyu-bench-console-") as tmp:
        path = Path(tmp) / f"console-{size}.db"
        seed = cache / f"console-{size}-v{SEED_VERSION}.db" if cache is not None else None
        if seed is not None and seed.exists():
            shutil.copyfile(seed, path)
            yield f"sqlite:///{path}", True
            return
        yield f"sqlite:///{path}", False


def save_sqlite_seed(url: str, size: int, cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    seed = cache / f"console-{size}-v{SEED_VERSION}.db"
    partial = seed.with_suffix(".partial")
    source = make_url(url).database
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, partial)
    partial.replace(seed)


def seed_template(size: int) -> str:
    return f"console_seed_{size}_v{SEED_VERSION}"


@contextmanager
def postgres_copy(server_url: str, size: int, reuse: bool) -> Iterator[tuple[str, bool]]:
    """(url, already seeded): a scratch database, created from the kept seed template when there is one."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    template = seed_template(size)
    with admin.connect() as conn:
        seeded = reuse and conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": template}) is not None
    if not seeded:
        admin.dispose()
        with postgres_database(server_url) as url:
            yield url, False
        return
    name = f"console_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False), True
    finally:
        drop_database(admin, name)
        admin.dispose()


def save_postgres_seed(url: str, size: int) -> None:
    """Keep the freshly seeded scratch database as the template later runs copy."""
    scratch = make_url(url)
    admin = create_engine(scratch.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{seed_template(size)}"'))
        conn.execute(text(f'CREATE DATABASE "{seed_template(size)}" TEMPLATE "{scratch.database}"'))
    admin.dispose()


class CpuClock:
    """CPU seconds used so far by this process and by the PostgreSQL backends serving `database`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime + sum(self._backend(pid) for pid in self._backends())

    def _backends(self) -> list[int]:
        if not self.db.is_postgres:
            return []
        with self.db.engine.connect() as conn:
            return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
                        .scalars())

    def _backend(self, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime


def measure(url: str, seeded: bool, size: int, repeat: int,
            save_seed: Callable[[], None] | None) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Page timings (wall, CPU seconds), seconds spent seeding and seconds the first rollups run took."""
    clock = FrozenClock(NOW)
    db = Database(url, clock)
    upgrade(db)
    started = time.perf_counter()
    if not seeded:
        seed_history(db, NOW, SampleSize(size, days=365))
        db.analyze(full=True)
        if save_seed is not None:
            db.dispose()
            save_seed()
    seeding = time.perf_counter() - started
    config = config_from_dict({"database": {"url": url}, "wecom": {"enabled": False},
                               "bot": {"playbooks_dir": str(ROOT / "playbooks"),
                                       "tag_rules": str(ROOT / "rules" / "tags.toml")},
                               "console": {"secret_key": "bench", "secure_cookies": False},
                               "scheduler": {"enabled": False}})
    started = time.perf_counter()
    DailyRollups(db, clock, config.scheduler.tz).run()
    rolling = time.perf_counter() - started
    db.dispose()
    app = create_app(config, routers=[], clock=clock)
    runtime = app.extensions["siyu"]
    with runtime.db.session() as session:
        if session.scalar(select(ConsoleUser.id).where(ConsoleUser.username == "bench")) is None:
            AccountService(session, clock, config.console).add("bench", "operator", PASSWORD)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
    client.post("/console/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    cpu = CpuClock(runtime.db)
    timings = {}
    for name, path in pages(size // 2).items():
        runs, cpus = [], []
        for _ in range(repeat):
            cpu_before = cpu()
            begin = time.perf_counter()
            response = client.get(path)
            runs.append(time.perf_counter() - begin)
            cpus.append(cpu() - cpu_before)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
        timings[name] = (statistics.median(runs), statistics.median(cpus))
    runtime.close()
    return timings, seeding, rolling


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL",
                        help="measure on PostgreSQL: a scratch database per size is created on this server and dropped")
    parser.add_argument("--reuse-seed", "--keep", type=Path, nargs="?", const=ROOT / "var" / "bench-console",
                        metavar="DIR", help="keep the seeded databases and start later runs from a copy of them "
                                            "(SQLite files in DIR, default var/bench-console; PostgreSQL template "
                                            "databases on the server)")
    args = parser.parse_args()
    small, large = args.sizes
    database = "postgresql" if args.postgres else "sqlite"
    results = {}
    for size in (small, large):
        with ExitStack() as stack:
            save_seed: Callable[[], None] | None = None
            if args.postgres:
                url, seeded = stack.enter_context(postgres_copy(args.postgres, size, args.reuse_seed is not None))
                if args.reuse_seed is not None:
                    save_seed = lambda url=url, size=size: save_postgres_seed(url, size)  # noqa: E731
            else:
                url, seeded = stack.enter_context(sqlite_database(size, args.reuse_seed))
                if args.reuse_seed is not None:
                    save_seed = lambda url=url, size=size: save_sqlite_seed(url, size, args.reuse_seed)  # noqa: E731
            results[size] = measure(url, seeded, size, args.repeat, save_seed)
            print(f"{size:,}: seeding {results[size][1]:.1f} s{' (copied the kept seed)' if seeded else ''}, "
                  f"first rollups run {results[size][2]:.1f} s", file=sys.stderr, flush=True)
    print(f"{database}, seconds, median of {args.repeat}; wall clock, then CPU (this process + database backends)")
    print(f"{'page':<24} {'wall ' + f'{small:,}':>12} {f'{large:,}':>8} {'growth':>6}   "
          f"{'cpu ' + f'{small:,}':>11} {f'{large:,}':>8} {'growth':>6}")
    figures = {}
    for name in results[small][0]:
        (a, ca), (b, cb) = results[small][0][name], results[large][0][name]
        growth = b / a if a else float("inf")
        cpu_growth = cb / ca if ca else float("inf")
        figures[name] = {"small_s": round(a, 4), "large_s": round(b, 4), "growth": round(growth, 2),
                         "small_cpu_s": round(ca, 4), "large_cpu_s": round(cb, 4), "cpu_growth": round(cpu_growth, 2)}
        flag = "" if growth <= 10 and b < 1 else "  <- over target (wall)"
        print(f"{name:<24} {a:>12.3f} {b:>8.3f} {growth:6.2f}   {ca:>11.3f} {cb:>8.3f} {cpu_growth:6.2f}{flag}")
    print(f"{'(seeding)':<24} {results[small][1]:>12.1f} {results[large][1]:>8.1f}")
    print(f"{'(first rollups run)':<24} {results[small][2]:>12.1f} {results[large][2]:>8.1f}")
    worst_growth = max(f["growth"] for f in figures.values())
    slowest = max(f["large_s"] for f in figures.values())
    costliest = max(f["large_cpu_s"] for f in figures.values())
    print(json.dumps({"bench": "console", "database": database, "sizes": [small, large], "repeat": args.repeat,
                      "load_average": os.getloadavg()[0], "pages": figures, "max_growth": worst_growth,
                      "max_large_s": slowest, "max_large_cpu_s": costliest, "ok": worst_growth <= 10 and slowest < 1}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
