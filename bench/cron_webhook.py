"""Webhooks while a cron playbook fires over many customers, on SQLite.

The bot runs as `siyu serve` runs it (waitress, 8 threads, the scheduler's jobs in the same
process) on a file-backed SQLite seeded with `--customers` customers. A load generator in its
own process sends encrypted customer texts over loopback HTTP at `--rate` a second, on a fixed
schedule (open loop: a slow answer does not slow the offered rate), first for a baseline, then
while a schedule playbook whose audience is every customer fires (the scan the scheduler would
start at the fire time). It prints ack latency (p50, p99, max), errors and pushes not stored, for
both phases, and how long the fire took; target: p99 under 200 ms during the fire, no error,
nothing unstored. The last line is one JSON object.

    .venv/bin/python bench/cron_webhook.py [--customers 100000] [--rate 50] [--baseline 10] [--port 8821]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (bulk seeding and the customers' openids)
import webhook as wb  # noqa: E402  (encrypted pushes)

PLAYBOOK = """
id = "everyone"
name = "全员关怀"

[trigger]
schedule = { cron = "* * * * *" }

[audience]
reentry = "always"

[[steps]]
id = "hello"
after = "1d"
channels = ["kf"]
text = "{{ customer.name }}您好，本月会员日到了"
"""
RULES = Path(__file__).resolve().parent.parent / "rules"  # the shipped tag rules and 话术 library


def percentile_ms(latencies: list[float], q: float) -> float:
    ordered = sorted(latencies)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000, 1) if ordered else 0.0


# -- the load generator (its own process) -----------------------------------------------------------


def generate(url: str, mp_key: str, customers: int, rate: float, first_msgid: int, started: Any, stop: Any,
             results: Any) -> None:
    """Send `rate` pushes a second until `stop` is set; put (sent at, latency, status) rows in
    `results`. Times are `time.monotonic()`, the same clock in every process on this machine."""
    import random

    import requests
    from wechatpy.crypto import WeChatCrypto as MpCrypto

    crypto, rng = MpCrypto(wb.MP_TOKEN, mp_key, wb.MP_APP_ID), random.Random(first_msgid)
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=64))

    def send(push: wb.Push) -> tuple[float, float, int]:
        before = time.monotonic()
        try:
            status = session.post(url + push.url, data=push.body, timeout=30,
                                  headers={"Content-Type": "text/xml"}).status_code
        except requests.RequestException:
            status = 0
        return before, time.monotonic() - before, status

    futures = []
    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.monotonic()
        started.put(start)
        for i in itertools.count():
            if stop.is_set():
                break
            [push] = scale.pushes(crypto, customers, 1, first_msgid + i, rng)
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            futures.append(pool.submit(send, push))
    results.put([future.result() for future in futures])


# -- the bot ------------------------------------------------------------------------------------------


def bot(database_url: str, playbooks_dir: Path, mp_key: str) -> Any:
    from bot.app import create_app
    from bot.clock import Clock
    from bot.config import config_from_dict
    from bot.db import Database
    from bot.schema import upgrade

    import handlers

    config = config_from_dict({
        "database": {"url": database_url},
        "mp": {"app_id": wb.MP_APP_ID, "token": wb.MP_TOKEN, "encoding_aes_key": mp_key},
        "wecom": {"enabled": False},  # Official Account pushes only
        "bot": {"playbooks_dir": str(playbooks_dir), "tag_rules": str(RULES / "tags.toml"),
                "scripts": str(RULES / "scripts.toml")},
    }, source="bench")
    upgrade(Database(database_url, Clock()))
    return create_app(config, handlers.routers())


class LockHolds:
    """How long each write transaction of the scan's thread held SQLite's lock (BEGIN IMMEDIATE
    taken to COMMIT or ROLLBACK), and of every other thread, while armed; and for the scan's, the
    CPU its thread spent inside (`scan_cpu`): on a shared machine the wall time of a hold is
    mostly waiting for a CPU, the CPU inside it is the hold's own work."""

    def __init__(self, engine: Any, scan_thread: str) -> None:
        from sqlalchemy import event

        self.scan_thread, self.armed = scan_thread, False
        self.scan: list[float] = []
        self.scan_cpu: list[float] = []
        self.others: list[float] = []
        self._began: dict[int, tuple[float, float]] = {}
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _begin(self, conn: Any) -> None:
        from bot.db import _read_only

        if not _read_only.get():  # a read-only transaction (a deferred BEGIN) takes no lock
            self._began[id(conn)] = (time.monotonic(), time.thread_time())

    def _end(self, conn: Any) -> None:
        began = self._began.pop(id(conn), None)
        if began is not None and self.armed:
            held = time.monotonic() - began[0]
            if threading.current_thread().name == self.scan_thread:
                self.scan.append(held)
                self.scan_cpu.append(time.thread_time() - began[1])
            else:
                self.others.append(held)


class AckParts:
    """Where an ack's time goes, inside the bot, while armed: the whole request in the WSGI app
    (verify, decrypt, parse, spool, answer: CPU and the GIL it shares with the processor and the
    fire), and within it the spool's write (its lock and commit). The main database is not on
    the ack's path at all on SQLite: an ack slower than its request here waited for CPU outside
    the app (waitress's queue, the load generator's process, other processes)."""

    def __init__(self, app: Any, spool: Any) -> None:
        self.armed = False
        self.requests: list[float] = []
        self.spool: list[float] = []
        wsgi, put = app.wsgi_app, spool.put

        def timed_wsgi(environ: Any, start_response: Any) -> Any:
            started = time.monotonic()
            try:
                return wsgi(environ, start_response)
            finally:
                if self.armed:
                    self.requests.append(time.monotonic() - started)

        def timed_put(push: Any) -> Any:
            started = time.monotonic()
            try:
                return put(push)
            finally:
                if self.armed:
                    self.spool.append(time.monotonic() - started)

        app.wsgi_app, spool.put = timed_wsgi, timed_put

    def figures(self) -> dict[str, float]:
        return {"request_p50_ms": percentile_ms(self.requests, 0.5),
                "request_p99_ms": percentile_ms(self.requests, 0.99),
                "request_max_ms": round(max(self.requests, default=0) * 1000, 1),
                "spool_p50_ms": percentile_ms(self.spool, 0.5), "spool_p99_ms": percentile_ms(self.spool, 0.99),
                "spool_max_ms": round(max(self.spool, default=0) * 1000, 1)}


def phase(name: str, rows: list[tuple[float, float, int]], window: tuple[float, float] | None = None) -> dict[str, Any]:
    if window is not None:
        rows = [row for row in rows if window[0] <= row[0] <= window[1]]
    latencies = [latency for _, latency, _ in rows]
    return {"phase": name, "pushes": len(rows), "p50_ms": percentile_ms(latencies, 0.5),
            "p99_ms": percentile_ms(latencies, 0.99), "max_ms": round(max(latencies, default=0) * 1000, 1),
            "errors": sum(1 for _, _, status in rows if status != 200)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--baseline", type=float, default=10, help="seconds of webhooks before the fire")
    parser.add_argument("--port", type=int, default=8821)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    import waitress
    from sqlalchemy import func, select

    from bot.models import Callback, Enrolment

    with tempfile.TemporaryDirectory(prefix="siyu-cron-") as directory:
        playbooks_dir = Path(directory) / "playbooks"
        playbooks_dir.mkdir()
        (playbooks_dir / "everyone.toml").write_text(PLAYBOOK, encoding="utf-8")
        mp_key = wb.new_aes_key()
        app = bot(f"sqlite:///{directory}/siyu.db", playbooks_dir, mp_key)
        runtime = app.extensions["siyu"]
        db, now = runtime.db, runtime.clock.now()
        seeded = scale.Seeder(db.engine, now).rows(
            "customers", ("id", "name", "openid", "stage", "value_tier", "opted_out", "profile_stale", "attributes",
                          "first_seen_at", "last_active_at", "created_at", "updated_at"),
            ((k + 1, f"客户{k}", scale.openid(k), "active", "low", False, False, "{}", now, now, now, now)
             for k in range(args.customers)))
        db.analyze(full=True)
        # Listening before any thread uses the engine (adding a listener while one begins fails).
        holds = LockHolds(db.engine, threading.current_thread().name)
        parts = AckParts(app, runtime.inbox.spool)
        server = waitress.create_server(app, host="127.0.0.1", port=args.port, threads=8, ident="siyu")
        threading.Thread(target=server.run, name="waitress", daemon=True).start()
        url = f"http://127.0.0.1:{args.port}"

        context = multiprocessing.get_context("spawn")
        started, stop, results = context.Queue(), context.Event(), context.Queue()
        process = context.Process(target=generate, args=(url, mp_key, args.customers, args.rate, 50_000_000,
                                                         started, stop, results))
        process.start()
        sending_since = started.get(timeout=120)
        time.sleep(max(0.0, sending_since + args.baseline - time.monotonic()))
        # The fire, as the scheduler's scan job starts it, in this process beside the web threads.
        holds.armed = parts.armed = True
        fire_started, cpu_started, load_before = time.monotonic(), time.process_time(), os.getloadavg()[0]
        entered = runtime.features["playbooks"].scanners.run_schedules()
        fire_ended, fire_cpu, load_after = time.monotonic(), time.process_time() - cpu_started, os.getloadavg()[0]
        holds.armed = parts.armed = False
        time.sleep(1.0)
        stop.set()
        rows = results.get(timeout=300)
        process.join()
        server.close()
        with db.session() as session:
            stored = session.scalar(select(func.count()).select_from(Callback))
            enrolled = session.scalar(select(func.count()).select_from(Enrolment))
        runtime.close()
        fire_seconds = fire_ended - fire_started

    sent = len(rows)
    baseline = phase("baseline", rows, (sending_since, fire_started))
    during = phase("during fire", rows, (fire_started, fire_ended))
    ok = [row for row in rows if row[2] == 200]
    scan_holds = {"transactions": len(holds.scan), "p50_ms": percentile_ms(holds.scan, 0.5),
                  "p99_ms": percentile_ms(holds.scan, 0.99), "max_ms": round(max(holds.scan, default=0) * 1000, 1),
                  "cpu_p50_ms": percentile_ms(holds.scan_cpu, 0.5), "cpu_p99_ms": percentile_ms(holds.scan_cpu, 0.99),
                  "cpu_max_ms": round(max(holds.scan_cpu, default=0) * 1000, 1)}
    web_holds = {"transactions": len(holds.others), "p50_ms": percentile_ms(holds.others, 0.5),
                 "p99_ms": percentile_ms(holds.others, 0.99), "max_ms": round(max(holds.others, default=0) * 1000, 1)}
    ack_parts = parts.figures()
    figures = {"customers": seeded, "fire_lock_holds": scan_holds, "web_lock_holds": web_holds,
               "ack_parts_during_fire": ack_parts, "bot_cpu_seconds_during_fire": round(fire_cpu, 1),
               "load_average": [round(load_before, 1), round(load_after, 1)],
               "rate": args.rate, "fire_seconds": round(fire_seconds, 1), "entered": entered,
               "enrolled": enrolled, "sent": sent, "acked": len(ok), "stored": stored,
               "unstored": len(ok) - stored, "phases": [baseline, during]}
    print(f"{'phase':<13} {'pushes':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for p in (baseline, during):
        print(f"{p['phase']:<13} {p['pushes']:>7} {p['p50_ms']:>8} {p['p99_ms']:>8} {p['max_ms']:>8} {p['errors']:>7}")
    print(f"fire over {seeded:,} customers: {fire_seconds:.1f} s, {entered:,} entered; "
          f"{sent} pushes sent, {len(ok)} acked, {stored} stored ({figures['unstored']} acked but not stored)")
    print(f"write transactions during the fire: the scan's {scan_holds['transactions']} held the lock "
          f"p50 {scan_holds['p50_ms']} ms, p99 {scan_holds['p99_ms']} ms, max {scan_holds['max_ms']} ms "
          f"(its CPU inside: "
          f"p50 {scan_holds['cpu_p50_ms']} ms, max {scan_holds['cpu_max_ms']} ms); the other "
          f"threads' (processor, ingest) {web_holds['transactions']} p50 {web_holds['p50_ms']} ms, "
          f"p99 {web_holds['p99_ms']} ms, max {web_holds['max_ms']} ms")
    print(f"acks during the fire, inside the bot: request p50 {ack_parts['request_p50_ms']} ms, "
          f"p99 {ack_parts['request_p99_ms']} ms, max {ack_parts['request_max_ms']} ms; of which the spool's write "
          f"p50 {ack_parts['spool_p50_ms']} ms, p99 {ack_parts['spool_p99_ms']} ms, max {ack_parts['spool_max_ms']} ms "
          f"(the main database is not on the ack's path)")
    print(f"bot process CPU during the fire: {fire_cpu:.1f} s of {fire_seconds:.1f} s; "
          f"load average {load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} CPUs")
    print(json.dumps({"bench": "cron_webhook", **figures}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
