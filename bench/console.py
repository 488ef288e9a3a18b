"""Console pages and the what-if at two sizes: does any page grow faster than the data?

Seeds N customers with a year of messages, events, deliveries and tasks (bot/analytics/sample.py)
into a fresh SQLite database for each size, logs into the console with Flask's test client and
times each page (median of --repeat runs). Prints a table and one JSON line.

    .venv/bin/python bench/console.py [--sizes 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analytics.sample import SampleSize, seed_history  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.clock import FrozenClock  # noqa: E402
from bot.config import config_from_dict  # noqa: E402
from bot.console.accounts import AccountService  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.schema import upgrade  # noqa: E402

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
PASSWORD = "bench-pass-1"


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


def measure(size: int, repeat: int, workdir: Path) -> tuple[dict[str, float], float]:
    url = f"sqlite:///{workdir / f'console-{size}.db'}"
    clock = FrozenClock(NOW)
    db = Database(url, clock)
    upgrade(db)
    started = time.perf_counter()
    seed_history(db, NOW, SampleSize(size, days=365))
    seeded = time.perf_counter() - started
    db.dispose()
    config = config_from_dict({"database": {"url": url}, "bot": {"playbooks_dir": str(ROOT / "playbooks")},
                               "console": {"secret_key": "bench", "secure_cookies": False},
                               "scheduler": {"enabled": False}})
    app = create_app(config, routers=[], clock=clock)
    runtime = app.extensions["siyu"]
    with runtime.db.session() as session:
        AccountService(session, clock, config.console).add("bench", "operator", PASSWORD)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
    client.post("/console/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    timings = {}
    for name, path in pages(size // 2).items():
        runs = []
        for _ in range(repeat):
            begin = time.perf_counter()
            response = client.get(path)
            runs.append(time.perf_counter() - begin)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
        timings[name] = statistics.median(runs)
    runtime.close()
    return timings, seeded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    small, large = args.sizes
    with tempfile.TemporaryDirectory(prefix="siyu-bench-console-") as tmp:
        results = {size: measure(size, args.repeat, Path(tmp)) for size in (small, large)}
    print(f"{'page':<24} {small:>10,} {large:>10,}  growth  (seconds, median of {args.repeat})")
    figures = {}
    for name in results[small][0]:
        a, b = results[small][0][name], results[large][0][name]
        growth = b / a if a else float("inf")
        figures[name] = {"small_s": round(a, 4), "large_s": round(b, 4), "growth": round(growth, 2)}
        flag = "" if growth <= 10 and b < 1 else "  <- over target"
        print(f"{name:<24} {a:>10.3f} {b:>10.3f}  {growth:6.2f}{flag}")
    print(f"{'(seeding)':<24} {results[small][1]:>10.1f} {results[large][1]:>10.1f}")
    worst_growth = max(f["growth"] for f in figures.values())
    slowest = max(f["large_s"] for f in figures.values())
    print(json.dumps({"bench": "console", "sizes": [small, large], "pages": figures,
                      "max_growth": worst_growth, "max_large_s": slowest,
                      "ok": worst_growth <= 10 and slowest < 1}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
