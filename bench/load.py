"""Load over real HTTP: sustained rate, ack latency and processing lag at several offered rates.

Two deployments, each started as an operator would start it, on loopback:

- `sqlite`: one `siyu serve` (waitress, 8 threads; the scheduler and the batch processor in the
  child process it starts) on a file-backed SQLite;
- `postgres`: gunicorn with 2 gthread workers (deploy/gunicorn.conf.py) plus one `siyu worker`,
  on a scratch PostgreSQL database (the web workers only ack, the worker routes; `--web-processing
  thread` makes the web workers route too).

For each offered rate a load generator in its own process (a small asyncio HTTP/1.1 client over
keep-alive connections) sends encrypted Official Account customer texts on a fixed schedule (open
loop: a slow answer does not slow the offered rate) for `--seconds`, each push from one of
`--customers` followers; 20 guides exist, so each text is also forwarded to a guide. Then the
bench waits until every stored push is processed and reads, per push, `received_at` and
`processed_at` from the callback log.

- sustained: pushes acked with 200 over the time from the first send to the last ack;
- ack p50 / p99: per request, from just before the request is written to the parsed answer;
- lag p50 / p99: processed_at - received_at, both stamped by the bot;
- processed/s: pushes processed over the time from the first one received to the last processed.
- CPU ms per push: CPU seconds (/proc) of each role from the first send to the last push processed,
  per acked push: the web process(es), the processing process(es), on PostgreSQL the server's
  backends of each (told apart by PGAPPNAME), and the generator while it sends.

Target (issue 14): 400 a second with p99 ack under 50 ms and p99 lag under 2 s, for both.

    .venv/bin/python bench/load.py [--rates 200,400,800] [--seconds 10] [--customers 2000]
        [--setups sqlite,postgres] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--port 7810] [--web-workers 2] [--web-threads 8] [--no-worker]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import webhook as wb  # noqa: E402  (encrypted pushes as WeChat sends them)
from sqlalchemy import select, text  # noqa: E402
from wechatpy.crypto import WeChatCrypto as MpCrypto  # noqa: E402

from bot.clock import Clock  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Callback  # noqa: E402
from bot.services.customers import CustomerService  # noqa: E402

GUIDES = 20
MAX_CONNECTIONS = 256
SETTLE_TIMEOUT = 180.0  # seconds to wait for the backlog to be processed after a run


# -- the load generator (its own process) ------------------------------------------------------------


def openid(k: int) -> str:
    return f"oLoad{k:07d}qXyZ9kLmN0pQr"


def generate(port: int, mp_key: str, rate: float, seconds: float, customers: int, first_msgid: int,
             out: Any, go: Any) -> None:
    """Encrypt every push first, say so in `out` and wait for `go`; then send them on schedule and
    put in `out` one row per push (msgid, seconds after the start it was sent, ack latency, HTTP
    status or the error's class name), how many connections were opened and the CPU seconds this
    process spent sending (encryption excluded: it competes with the bot only when it is timed)."""
    crypto, rng = MpCrypto(wb.MP_TOKEN, mp_key, wb.MP_APP_ID), random.Random(first_msgid)
    count = int(rate * seconds)
    pushes = []
    for i in range(count):
        sender = openid(rng.randrange(customers))
        content = wb.CUSTOMER_TEXTS[i % len(wb.CUSTOMER_TEXTS)]
        timestamp, nonce = str(int(time.time())), f"{rng.getrandbits(40):010x}"
        xml = wb.text_xml(wb.MP_ORIGINAL_ID, sender, content, first_msgid + i, int(timestamp))
        encrypt, msg_signature = wb.sealed(crypto, xml, nonce, timestamp)
        query = (f"signature={wb.sha1_signature(wb.MP_TOKEN, timestamp, nonce)}&timestamp={timestamp}"
                 f"&nonce={nonce}&openid={sender}&encrypt_type=aes&msg_signature={msg_signature}")
        body = (f"<xml><ToUserName><![CDATA[{wb.MP_ORIGINAL_ID}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>").encode()
        request = (f"POST /wechat/mp?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        pushes.append((first_msgid + i, request))
    out.put("ready")
    go.wait()
    cpu = time.process_time()
    rows, opened = asyncio.run(_send_all(port, pushes, rate))
    out.put((rows, opened, time.process_time() - cpu))


async def _send_all(port: int, pushes: list[tuple[int, bytes]], rate: float
                    ) -> tuple[list[tuple[int, float, float, int | str]], int]:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    rows: list[tuple[int, float, float, int | str]] = []
    opened = 0

    async def one(msgid: int, request: bytes, start: float) -> None:
        nonlocal opened
        sent_at = time.perf_counter()
        try:
            reused = bool(idle)
            if idle:
                reader, writer = idle.pop()
            else:
                opened += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request)
                status_line = await asyncio.wait_for(reader.readline(), timeout=30)
            except ConnectionResetError:
                if not reused:
                    raise
                status_line = b""
            if not status_line and reused:
                # The server closed this kept-alive connection while it sat idle (gunicorn after
                # its keepalive seconds: an empty read or a reset): send again on a new one, as
                # HTTP clients do; the ack latency counts from the first attempt.
                writer.close()
                opened += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                status_line = await asyncio.wait_for(reader.readline(), timeout=30)
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            status = int(status_line.split()[1])
            if len(idle) < MAX_CONNECTIONS:
                idle.append((reader, writer))
            else:
                writer.close()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, IndexError, ValueError) as exc:
            status = type(exc).__name__  # the kind of failure, for the error breakdown
        rows.append((msgid, sent_at - start, time.perf_counter() - sent_at, status))

    start = time.perf_counter()
    tasks = []
    for i, (msgid, request) in enumerate(pushes):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(msgid, request, start)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return rows, opened


# -- the deployments -------------------------------------------------------------------------------


def environment(database_url: str, mp_key: str) -> dict[str, str]:
    return {**os.environ, "SIYU_CONFIG": str(ROOT / "config.example.toml"), "SIYU_DATABASE__URL": database_url,
            "SIYU_MP__APP_ID": wb.MP_APP_ID, "SIYU_MP__TOKEN": wb.MP_TOKEN, "SIYU_MP__ENCODING_AES_KEY": mp_key,
            "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks"), "SIYU_LOGGING__LEVEL": "ERROR",
            "SIYU_WECOM__ENABLED": "false",  # Official Account pushes only
            "SIYU_WEB_BIND": "", "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="siyu-load-metrics-")}


def prepare(database_url: str, env: dict[str, str]) -> None:
    """`siyu init`, then the guides a customer's text is forwarded to."""
    subprocess.run([sys.executable, "-m", "bot.cli", "init"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    db = Database(database_url, Clock())
    with db.session() as session:
        customers = CustomerService(session, db.clock)
        for g in range(GUIDES):
            customers.staff(f"loadguide{g:02d}", f"导购{g}")
    db.dispose()


def start(setup: str, port: int, env: dict[str, str], log: Path, web_processing: str = "",
          web_workers: int = 2, web_threads: int = 0, worker: bool = True) -> list[subprocess.Popen[bytes]]:
    out = log.open("ab")
    if setup == "sqlite":
        commands = [([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], {})]
    else:
        web = {"SIYU_WEB_BIND": f"127.0.0.1:{port}", "SIYU_WEB_WORKERS": str(web_workers), "PGAPPNAME": WEB_APP}
        if web_threads:  # otherwise what deploy/gunicorn.conf.py sets
            web["SIYU_WEB_THREADS"] = str(web_threads)
        if web_processing:
            web["SIYU_INBOUND__PROCESSING"] = web_processing
        commands = [([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                      "--access-logfile", "/dev/null", "bot.app:create_app()"], web)]
        if worker:
            commands.append(([sys.executable, "-m", "bot.cli", "worker"], {"PGAPPNAME": WORKER_APP}))
    procs = [subprocess.Popen(command, cwd=ROOT, env={**env, **extra}, stdout=out, stderr=out,
                              start_new_session=True)
             for command, extra in commands]
    wait_ready(port, procs)
    return procs


def wait_ready(port: int, procs: list[subprocess.Popen[bytes]], timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            raise SystemExit("a bot process exited while starting; see the log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the bot did not answer on port {port} within {timeout:.0f} s")


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def database(setup: str, server_url: str | None) -> Iterator[str]:
    if setup == "sqlite":
        with tempfile.TemporaryDirectory(prefix="siyu-load-") as directory:
            yield f"sqlite:///{directory}/siyu.db"
        return
    assert server_url, "--postgres is needed for the postgres setup"
    with wb.postgres_database(server_url) as url:  # bench/webhook.py's scratch database
        yield url


# -- measuring -------------------------------------------------------------------------------------

WEB_APP, WORKER_APP = "siyu-load-web", "siyu-load-worker"  # PGAPPNAME: whose PostgreSQL backend it is
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def descendants(pid: int) -> list[int]:
    """The processes below `pid` (gunicorn's workers, the worker's processor children)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        children = parents.get(queue.pop(), [])
        found += children
        queue += children
    return found


class CpuMeter:
    """CPU seconds by role: the web process(es), the processing process(es) and, on PostgreSQL,
    the server's backends serving each (told apart by PGAPPNAME). A process that ends within a
    run takes its CPU with it: the gunicorn workers, the worker and the backends live throughout."""

    def __init__(self, setup: str, procs: list[subprocess.Popen[bytes]], db: Database) -> None:
        self.setup, self.procs, self.db = setup, procs, db

    def sample(self) -> dict[str, dict[int, float]]:
        if self.setup == "sqlite":  # serve acks; its child processes
            serve = self.procs[0].pid
            roles = {"web": [serve], "worker": descendants(serve)}
        else:
            roles = {role: [proc.pid, *descendants(proc.pid)]
                     for role, proc in zip(("web", "worker"), self.procs, strict=False)}
            roles.update(self._backends())
        return {role: {pid: cpu_seconds(pid) for pid in pids} for role, pids in roles.items()}

    def _backends(self) -> dict[str, list[int]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(text("SELECT pid, application_name FROM pg_stat_activity "
                                     "WHERE datname = current_database()")).all()
        names = {WEB_APP: "pg_web", WORKER_APP: "pg_worker"}
        roles: dict[str, list[int]] = {"pg_web": [], "pg_worker": []}
        for pid, application in rows:
            if application in names:
                roles[names[application]].append(pid)
        return roles

    def spent_since(self, before: dict[str, dict[int, float]]) -> dict[str, float]:
        """CPU seconds each role spent since `before` (a process new since then counts whole)."""
        after = self.sample()
        return {role: sum(cpu - before.get(role, {}).get(pid, 0.0) for pid, cpu in pids.items())
                for role, pids in after.items()}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def processed_rows(db: Database, msgids: list[int], timeout: float) -> list[Any]:
    """(status, received_at, processed_at) of the pushes sent, once none is waiting any more."""
    keys = [f"mp:msg:{msgid}" for msgid in msgids]
    deadline = time.monotonic() + timeout
    while True:
        rows = []
        with db.read_session() as session:
            for i in range(0, len(keys), 1000):
                rows += session.execute(select(Callback.status, Callback.received_at, Callback.processed_at)
                                        .where(Callback.dedupe_key.in_(keys[i:i + 1000]))).all()
        if all(row.status in ("processed", "dead") for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def run_rate(setup: str, port: int, db: Database, mp_key: str, rate: float, seconds: float, customers: int,
             first_msgid: int, meter: CpuMeter, settle: float = SETTLE_TIMEOUT) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    out, go = context.Queue(), context.Event()
    generator = context.Process(target=generate, args=(port, mp_key, rate, seconds, customers, first_msgid, out, go))
    generator.start()
    assert out.get(timeout=300) == "ready"
    before = meter.sample()
    go.set()
    rows, connections, generator_cpu = out.get(timeout=seconds * 20 + 300)
    generator.join()
    acked = [row for row in rows if row[3] == 200]
    latencies = [row[2] for row in acked]
    span = max((row[1] + row[2] for row in acked), default=0.0)
    stored = processed_rows(db, [row[0] for row in acked], settle)
    cpu = meter.spent_since(before)
    cpu["generator"] = generator_cpu
    done = [row for row in stored if row.processed_at is not None]
    lags = [(row.processed_at - row.received_at).total_seconds() for row in done]
    processing_span = ((max(row.processed_at for row in done) - min(row.received_at for row in done))
                       if done else timedelta(0)).total_seconds()
    return {
        "setup": setup, "offered_per_s": rate, "sent": len(rows), "acked": len(acked),
        "errors": len(rows) - len(acked), "connections": connections,
        "error_statuses": dict(Counter(str(row[3]) for row in rows if row[3] != 200)),
        "stored": len(stored), "processed": len(done),
        "sustained_per_s": round(len(acked) / span, 1) if span else 0.0,
        "ack_p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "ack_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "lag_p50_s": round(percentile(lags, 0.5), 3), "lag_p99_s": round(percentile(lags, 0.99), 3),
        "processed_per_s": round(len(done) / processing_span, 1) if processing_span else 0.0,
        # CPU ms per acked push, by process, from the first send to the last push processed
        "cpu_ms_per_push": {role: round(seconds * 1000 / len(acked), 2) if acked else 0.0
                            for role, seconds in cpu.items()},
    }


def run_setup(setup: str, args: argparse.Namespace, port: int) -> list[dict[str, Any]]:
    results = []
    mp_key = wb.new_aes_key()
    with database(setup, args.postgres) as url:
        env = environment(url, mp_key)
        prepare(url, env)
        log = Path(tempfile.gettempdir()) / f"siyu-load-{setup}.log"
        procs = start(setup, port, env, log, args.web_processing, args.web_workers, args.web_threads,
                      worker=not args.no_worker)
        settle = 0.0 if args.no_worker else SETTLE_TIMEOUT
        db = Database(url, Clock())
        meter = CpuMeter(setup, procs, db)
        try:
            first = time.time_ns() // 1000
            # Warm up: imports, caches, the customers' first messages.
            run_rate(setup, port, db, mp_key, 50, 2, args.customers, first, meter, settle)
            for n, rate in enumerate(args.rates, start=1):
                result = run_rate(setup, port, db, mp_key, rate, args.seconds, args.customers, first + n * 10**7,
                                  meter, settle)
                results.append(result)
                print(row_text(result), result["error_statuses"] or "", file=sys.stderr, flush=True)
                print("  CPU ms per push:", cpu_text(result), file=sys.stderr, flush=True)
        finally:
            stop(procs)
            db.dispose()
    return results


HEADER = (f"{'setup':<9} {'offered/s':>9} {'acked':>6} {'errors':>6} {'sustained/s':>11} {'ack p50 ms':>10} "
          f"{'ack p99 ms':>10} {'lag p50 s':>9} {'lag p99 s':>9} {'processed/s':>11}")


def cpu_text(r: dict[str, Any]) -> str:
    return ", ".join(f"{role} {ms:.2f}" for role, ms in r["cpu_ms_per_push"].items())


def row_text(r: dict[str, Any]) -> str:
    return " ".join([f"{r['setup']:<9}", f"{r['offered_per_s']:>9.0f}", f"{r['acked']:>6}", f"{r['errors']:>6}",
                     f"{r['sustained_per_s']:>11.1f}", f"{r['ack_p50_ms']:>10.1f}", f"{r['ack_p99_ms']:>10.1f}",
                     f"{r['lag_p50_s']:>9.3f}", f"{r['lag_p99_s']:>9.3f}", f"{r['processed_per_s']:>11.1f}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="200,400,800", help="offered pushes a second, comma-separated")
    parser.add_argument("--seconds", type=float, default=10, help="how long each rate is offered")
    parser.add_argument("--customers", type=int, default=2000, help="distinct followers writing")
    parser.add_argument("--setups", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server URL (a role with CREATEDB)")
    parser.add_argument("--port", type=int, default=7810)
    parser.add_argument("--web-processing", default="", choices=["", "thread", "worker"],
                        help="[inbound] processing for the gunicorn workers (default: the deployment's)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (PostgreSQL)")
    parser.add_argument("--web-threads", type=int, default=0,
                        help="threads per gunicorn worker (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--no-worker", action="store_true",
                        help="PostgreSQL without `siyu worker`: the ack side alone (nothing is processed)")
    args = parser.parse_args(argv)
    args.rates = [float(rate) for rate in args.rates.split(",")]
    results: list[dict[str, Any]] = []
    for n, setup in enumerate(args.setups.split(",")):
        results += run_setup(setup, args, args.port + n)
    load = os.getloadavg()
    print(HEADER)
    for result in results:
        print(row_text(result))
    print("CPU ms per acked push, from the first send to the last push processed:")
    for result in results:
        print(f"  {result['setup']} {result['offered_per_s']:.0f}/s: {cpu_text(result)}")
    print(f"load average during the run's end: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min) on {os.cpu_count()} CPUs")
    print(json.dumps({"bench": "load", "seconds_per_rate": args.seconds, "customers": args.customers,
                      "load_average": [round(x, 1) for x in load], "results": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
