"""Scale benchmark: what a message, a delivery and a scheduler tick cost as the database grows.

For each size (customers; messages = 10 per customer up to `--max-messages`) and each database,
the bench seeds a fresh database in bulk (on SQLite messages and callbacks by INSERT ... SELECT,
the rest by executemany, without a journal; COPY on PostgreSQL; indexes built after the load;
kept under var/bench-scale for the next run), gathers
planner statistics as `siyu init` does, and measures in one process:

- webhook: POST /wechat/mp of encrypted customer texts from random seeded customers, whatever the
  app does before it answers;
- processing: routing one stored callback through the handlers (`Inbox.process`), per message;
- dispatch: due playbook deliveries claimed, re-checked, rendered, sent through a no-op channel
  and marked, per delivery;
- tick: the per-minute jobs with nothing due (finishing journeys, recovery, tasks, retention).

Each cost is taken in wall time and in CPU time (this process, and on PostgreSQL the server's
backends of the database; the webhook's CPU is the request thread's own). `--rounds N` measures
every size in turn N times on the same copies, so each round's ratio is taken under the same
load. It prints a table, the ratio of each cost at the largest size over the smallest per round
and their median (target: within 1.5x), and one JSON line.

    .venv/bin/python bench/scale.py [--sizes 10000,1000000] [--max-messages 10000000] [--rounds 3]
                                    [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                    [--no-sqlite] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import webhook as wb  # noqa: E402  (the pushes and the app as bench/webhook.py builds them)
from console import CpuClock  # noqa: E402  (CPU seconds of this process and the PostgreSQL backends)
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from wechatpy.crypto import WeChatCrypto as MpCrypto  # noqa: E402
from werkzeug.test import Client  # noqa: E402

from bot.analytics.playbook_rollups import MARK_MARGIN  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Callback, Delivery, Enrolment, Message, PlaybookVersion  # noqa: E402
from bot.playbooks.channels import NoopChannel  # noqa: E402
from bot.playbooks.outbox import Outbox  # noqa: E402

MESSAGES_PER_CUSTOMER = 10
WEBHOOK_N = 300
PROCESS_N = 300
DISPATCH_N = 1000
DISPATCH_REPEATS = 3
WARMUP = 50
TICKS = 5
GUIDES = 20
TAGS = ("意向:价格", "意向:预约", "兴趣:光子嫩肤", "兴趣:瑜伽", "价值:高", "状态:订阅", "渠道:门店", "渠道:直播")
CHANNELS = ("kf", "mp_custom", "mp_template", "wecom_mass", "guide_task", "wecom_app")
SEED_CHUNK = 50_000
SEED_VERSION = "2"  # change when `seed` changes: cached seeds of another version are not used
ROOT = Path(__file__).resolve().parent.parent
SEED_CACHE = Path(os.environ.get("SIYU_SCALE_CACHE", ROOT / "var" / "bench-scale"))


def openid(k: int) -> str:
    return f"oScale{k:08d}qXyZ9kLmN0pQ"


# -- seeding -------------------------------------------------------------------------------------


class Seeder:
    """Bulk rows into a fresh database: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Any, now: datetime) -> None:
        self.engine = engine
        self.now = now
        self.postgres = engine.dialect.name == "postgresql"

    def rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
        """Load `rows` into `table` with its secondary indexes dropped, then build them again
        (one sorted build is much cheaper than millions of random index inserts); foreign keys
        are not checked while seeding (the seed makes them right)."""
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            indexes = self._drop_indexes(cursor, table)
            if self.postgres:
                cursor.execute("SET session_replication_role = replica")  # no FK triggers per row
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))" if "id" in columns else "SELECT 1")
                cursor.execute("SET maintenance_work_mem = '256MB'")
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                # Seeding only: 1 GB cache, no FK checks, no fsync (a failed seed is thrown away).
                for pragma in ("cache_size=-1000000", "foreign_keys=OFF", "synchronous=OFF"):
                    cursor.execute(f"PRAGMA {pragma}")
                cursor.execute("BEGIN")  # the bot's connections autocommit unless told (see bot.db)
                batch: list[Any] = []
                converted: list[int] | None = None  # the columns that need converting, from the first row
                for row in rows:
                    if converted is None:
                        converted = [i for i, value in enumerate(row) if isinstance(value, (datetime, bool))]
                    if converted:
                        row = list(row)
                        for i in converted:
                            row[i] = self._sqlite(row[i])
                    batch.append(row)
                    if len(batch) >= SEED_CHUNK:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                count += len(batch)
            for statement in indexes:
                cursor.execute(statement)
            raw.commit()
            if self.postgres:
                cursor.execute("RESET session_replication_role")
                cursor.execute("RESET maintenance_work_mem")
                raw.commit()
            else:
                for pragma in ("cache_size=-2000", "foreign_keys=ON", "synchronous=NORMAL"):
                    cursor.execute(f"PRAGMA {pragma}")  # what bot.db sets on a connection
        finally:
            raw.close()
        return count

    def _drop_indexes(self, cursor: Any, table: str) -> list[str]:
        """Drop `table`'s plain indexes (not those behind a primary key or a unique constraint)
        and return the statements that create them again."""
        if self.postgres:
            cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                           "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                           (table.strip('"'),))
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL", (table.strip('"'),))
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in found]

    def history(self, customers: int, callbacks: int, messages: int, start: int = 0,
                start_callbacks: int = 0) -> dict[str, int]:
        """SQLite: callbacks and messages (from `start` on) made by INSERT ... SELECT over a counter,
        as the Python rows would be: random customers and times, one message in ten with its callback."""
        raw = self.engine.raw_connection()
        stamp = ("strftime('%Y-%m-%d %H:%M:%S', {epoch} - abs(random()) % {span}, 'unixepoch') || '.000000'")
        epoch = int(self.now.timestamp())
        counter = "WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last}) "
        try:
            cursor = raw.cursor()
            for pragma in ("cache_size=-1000000", "foreign_keys=OFF", "synchronous=OFF"):
                cursor.execute(f"PRAGMA {pragma}")
            for table, sql in (
                ("callbacks", counter.format(first=start_callbacks, last=callbacks - 1) +
                 "INSERT INTO callbacks (id, channel, dedupe_key, kind, body, status, attempts, error, received_at, "
                 "processed_at, customer_key) SELECT i + 1, 'mp', 'mp:msg:seed' || i, 'text', "
                 "'<xml><MsgType>text</MsgType><Content>seed ' || i || '</Content></xml>', 'processed', 1, '', "
                 f"at, at, 'mp:oScale' || printf('%08d', i % {customers}) || 'qXyZ9kLmN0pQ' "
                 f"FROM (SELECT i, {stamp.format(epoch=epoch, span=20 * 86400)} AS at FROM n)"),
                ("messages", counter.format(first=start, last=messages - 1) +
                 "INSERT INTO messages (id, customer_id, direction, channel, msg_type, content, payload, status, "
                 f"errmsg, callback_id, created_at) SELECT i + 1, abs(random()) % {customers} + 1, "
                 "CASE WHEN i % 3 THEN 'in' ELSE 'out' END, 'mp', 'text', '上次做的那个项目多少钱？', '{}', "
                 "CASE WHEN i % 3 THEN 'received' ELSE 'sent' END, '', "
                 f"CASE WHEN i < {callbacks} THEN i + 1 END, {stamp.format(epoch=epoch, span=300 * 86400)} FROM n"),
            ):
                indexes = self._drop_indexes(cursor, table)
                cursor.execute("BEGIN")
                cursor.execute(sql)
                for statement in indexes:
                    cursor.execute(statement)
                cursor.execute("COMMIT")
            for pragma in ("cache_size=-2000", "foreign_keys=ON", "synchronous=NORMAL"):
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            raw.close()
        return {"callbacks": callbacks, "messages": messages}

    @staticmethod
    def _sqlite(value: Any) -> Any:
        if isinstance(value, datetime):  # as SQLAlchemy stores it; isoformat is ~10x faster than strftime
            return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        if isinstance(value, bool):
            return int(value)
        return value

    def ago(self, rng: random.Random, days: float) -> datetime:
        return self.now - timedelta(seconds=rng.uniform(0, days * 86400))


def seed(engine: Any, customers: int, messages: int, version_id: int, now: datetime) -> dict[str, int]:
    """Customers with tags, guides, messages (with their callbacks), events and finished journeys."""
    s, rng = Seeder(engine, now), random.Random(7)
    counts = {}
    counts["staff"] = s.rows("staff", ("id", "userid", "name", "active", "created_at"),
                             ((1000 + g, f"scaleguide{g:02d}", f"导购{g}", True, now) for g in range(GUIDES)))
    counts["tags"] = s.rows("tags", ("id", "name", '"group"', "created_at"),
                            ((1000 + i, name, name.split(":")[0], now) for i, name in enumerate(TAGS)))
    counts["customers"] = s.rows(
        "customers", ("id", "name", "openid", "guide_id", "stage", "value_tier", "opted_out", "profile_stale",
                      "attributes", "first_seen_at", "last_active_at", "created_at", "updated_at"),
        ((k + 1, f"客户{k}", openid(k), 1000 + k % GUIDES, "active", "low", False, False, "{}",
          now - timedelta(days=400), s.ago(rng, 10), now, now) for k in range(customers)))
    counts["customer_tags"] = s.rows(
        "customer_tags", ("id", "customer_id", "tag_id", "source", "rule", "matched", "reason", "created_at"),
        ((k + 1, k + 1, 1000 + k % len(TAGS), "keyword", "", "[]", "", now) for k in range(customers)))
    callbacks = messages // 10
    if not s.postgres:  # generated by SQLite itself: Python's own row making is most of a seeding there
        counts.update(s.history(customers, callbacks, messages))
    else:
        counts["callbacks"] = s.rows(
            "callbacks", ("id", "channel", "dedupe_key", "kind", "body", "status", "attempts", "error", "received_at",
                          "processed_at", "customer_key"),
            ((i + 1, "mp", f"mp:msg:seed{i}", "text", f"<xml><MsgType>text</MsgType><Content>seed {i}</Content></xml>",
              "processed", 1, "", at, at, f"mp:{openid(i % customers)}") for i in range(callbacks)
             for at in (s.ago(rng, 20),)))
        counts["messages"] = s.rows(
            "messages", ("id", "customer_id", "direction", "channel", "msg_type", "content", "payload", "status",
                         "errmsg", "callback_id", "created_at"),
            ((i + 1, rng.randrange(customers) + 1, "in" if i % 3 else "out", "mp", "text", "上次做的那个项目多少钱？",
              "{}", "received" if i % 3 else "sent", "", i + 1 if i < callbacks else None, s.ago(rng, 300))
             for i in range(messages)))
    counts["events"] = s.rows(
        "events", ("id", "customer_id", "type", "occurred_at", "data", "source", "created_at"),
        ((k + 1, k + 1, "tag_added", at, "{}", "system", at) for k in range(customers) for at in (s.ago(rng, 300),)))
    journeys = customers // 10
    counts["enrolments"] = s.rows(
        "enrolments", ("id", "customer_id", "playbook_id", "version_id", "status", "trigger_type", "trigger_at",
                       "context", "variants", "enrolled_at", "settle_after", "ended_at", "reason"),
        ((j + 1, j * 10 + 1, "welcome-series", version_id, "completed", "contact_added", at, "{}", "{}", at, at,
          at + timedelta(days=8), "all steps done") for j in range(journeys) for at in (s.ago(rng, 300),)))
    counts["deliveries"] = s.rows(
        "deliveries", ("id", "enrolment_id", "customer_id", "playbook_id", "step_id", "occurrence", "idempotency_key",
                       "due_at", "status", "attempts", "channel", "last_error", "sent_at", "created_at",
                       "updated_at"),
        ((j * 4 + d + 1, j + 1, j * 10 + 1, "welcome-series", f"seed{d}", 0, f"{j + 1}:seed{d}:0", sent, "sent", 1,
          "kf", "", sent, now, now) for j in range(journeys) for d in range(4) for sent in (now - timedelta(days=20),)))
    return counts


# -- measuring ------------------------------------------------------------------------------------


def pushes(crypto: MpCrypto, customers: int, count: int, first_msgid: int, rng: random.Random) -> list[wb.Push]:
    """Customer texts from random seeded customers, encrypted as the Official Account sends them."""
    made = []
    for i in range(count):
        sender, content = openid(rng.randrange(customers)), wb.CUSTOMER_TEXTS[i % len(wb.CUSTOMER_TEXTS)]
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        xml = wb.text_xml(wb.MP_ORIGINAL_ID, sender, content, first_msgid + i, int(timestamp))
        encrypt, msg_signature = wb.sealed(crypto, xml, nonce, timestamp)
        query = {"signature": wb.sha1_signature(wb.MP_TOKEN, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": sender, "encrypt_type": "aes", "msg_signature": msg_signature}
        body = (f"<xml><ToUserName><![CDATA[{wb.MP_ORIGINAL_ID}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        made.append(wb.Push(f"/wechat/mp?{urlencode(query)}", body.encode(), content))
    return made


def timed(items: Iterable[Any], action: Callable[[Any], Any]) -> list[float]:
    latencies = []
    for item in items:
        started = time.perf_counter()
        action(item)
        latencies.append(time.perf_counter() - started)
    return latencies


def ms(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"mean": round(statistics.fmean(ordered) * 1000, 3),
            "p50": round(ordered[len(ordered) // 2] * 1000, 3),
            "p99": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 3)}


def seed_key(customers: int, messages: int) -> str:
    """Names a seeded database: the sizes and the seed's own version. Not the migrations: a copy
    is brought up to date when the bench opens it (`upgrade`), so a migration landing does not
    cost a new seeding of ten million messages."""
    return f"{customers}_{messages}_v{SEED_VERSION}"


def seeded_database(kind: str, server_url: str | None, customers: int, messages: int) -> tuple[str, float]:
    """A database seeded with these sizes, made once and kept (SQLite: a file under
    SEED_CACHE; PostgreSQL: a database named scale_seed_*); returns (its URL, seconds spent seeding)."""
    key = seed_key(customers, messages)
    if kind == "sqlite":
        path = SEED_CACHE / f"scale_seed_{key}.db"
        url, exists = f"sqlite:///{path}", path.exists()
        SEED_CACHE.mkdir(parents=True, exist_ok=True)
    else:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        name = f"scale_seed_{key}"
        with admin.connect() as conn:
            exists = bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}))
            ready = exists and bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                                {"n": name + "_ok"}))
            if exists and not ready:  # a seeding that did not finish
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                exists = False
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    if exists:
        return url, 0.0
    partial = SEED_CACHE / f"scale_seed_{key}.partial.db"
    target = f"sqlite:///{partial}" if kind == "sqlite" else url
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):  # an interrupted seeding
        leftover.unlink(missing_ok=True)
    app = wb.siyu_app(target, wb.new_aes_key(), wb.new_aes_key())
    runtime = app.extensions["siyu"]
    runtime.processor.stop()
    # Stamped before the 剧本效果 rollups' change window (MARK_MARGIN): rows changed within it are read
    # again at every tick, so measuring right after a seeding timed the re-read of the whole seed.
    db, now = runtime.db, runtime.clock.now() - MARK_MARGIN - timedelta(minutes=1)
    with db.session() as session:
        version_id = session.scalar(select(PlaybookVersion.id).where(PlaybookVersion.playbook_id == "welcome-series"))
    started = time.perf_counter()
    if kind == "sqlite":
        runtime.close()
        del app
        gc.collect()  # the migrations' own engine (bench/webhook.py's upgrade) lets go of the file
        counts = seed(seeding_engine(partial), customers, messages, version_id, now)
        runtime = None
        db = Database(target, Clock())  # WAL again, as the bot opens it
    else:
        counts = seed(db.engine, customers, messages, version_id, now)
    db.analyze(full=True)
    seconds = time.perf_counter() - started
    logging.getLogger("bench").info("seeded %s %s in %.0f s", kind, counts, seconds)
    if runtime is not None:
        runtime.close()
    db.dispose()
    if kind == "sqlite":
        with closing(sqlite3.connect(partial)) as conn:  # the WAL folded in: one file to copy
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        partial.rename(SEED_CACHE / f"scale_seed_{key}.db")
    else:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "scale_seed_{key}_ok"'))  # a marker: the seed is complete
        admin.dispose()
    return url, seconds


def seeding_engine(path: Path) -> Any:
    """SQLite for seeding only: no journal, no fsync, no foreign-key checks, 1 GB of page cache,
    one connection at a time (a failed seeding is thrown away, so nothing needs to survive a crash;
    in WAL mode every page would be written twice, once to the WAL and once to the file)."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @sa_event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        connection.isolation_level = None  # BEGIN and COMMIT are the seeder's own
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF", "cache_size=-1000000",
                       "temp_store=MEMORY"):
            connection.execute(f"PRAGMA {pragma}")

    return engine


@contextmanager
def copy_of(kind: str, seed_url: str, server_url: str | None) -> Iterator[str]:
    """A scratch copy of a seeded database, dropped afterwards (the seed stays for the next run)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="siyu-scale-") as directory:
            target = Path(directory) / "siyu.db"
            shutil.copyfile(make_url(seed_url).database, target)
            with target.open("rb") as copy:  # read once: a database in service has its pages in memory,
                while copy.read(1 << 24):    # a fresh copy may have none (cold reads are disk, not size)
                    pass
            yield f"sqlite:///{target}"
        return
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"scale_run_{uuid.uuid4().hex[:8]}"
    seed_name = make_url(seed_url).database
    with admin.connect() as conn:  # a template must have no session open (a pool left behind)
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                     {"name": seed_name})
        # FILE_COPY: the files copied, not written through the WAL page by page (gigabytes of it
        # at a million customers, which every other database on the server then waits behind).
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{seed_name}" STRATEGY = FILE_COPY'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(database_url: str, customers: int, messages: int, seeded: float, round_: int = 0) -> dict[str, Any]:
    """One round of the four measures; rounds on the same copy use other message ids and customers."""
    mp_key, work_key = wb.new_aes_key(), wb.new_aes_key()
    app = wb.siyu_app(database_url, mp_key, work_key)
    runtime = app.extensions["siyu"]
    db = runtime.db
    with db.session() as session:
        counts = {"messages": session.scalar(select(func.count()).select_from(Message)),
                  "callbacks": session.scalar(select(func.max(Callback.id))) or 0}

    rng, first = random.Random(11 + round_), round_ * 100_000
    cpu = CpuClock(db)
    crypto = MpCrypto(wb.MP_TOKEN, mp_key, wb.MP_APP_ID)
    client = Client(app)
    post = lambda push: client.post(push.url, data=push.body, content_type="text/xml")  # noqa: E731
    timed(pushes(crypto, customers, WARMUP, 10_000_000 + first, rng), post)
    made = pushes(crypto, customers, WEBHOOK_N, 20_000_000 + first, rng)
    thread_started = time.thread_time()  # the request's own work: the processor thread runs beside it
    webhook = timed(made, post)
    webhook_cpu = (time.thread_time() - thread_started) / WEBHOOK_N

    stopped(runtime.processor)
    runtime.processor.drain()  # the webhook's pushes, not measured
    for i in range(PROCESS_N):
        runtime.inbox.accept("mp", wb.text_xml(wb.MP_ORIGINAL_ID, openid(rng.randrange(customers)),
                                               wb.CUSTOMER_TEXTS[i % 5], 30_000_000 + first + i, int(time.time())))
    started, cpu_started = time.perf_counter(), cpu()
    drained = runtime.processor.drain()
    assert drained == PROCESS_N, f"the processor handled {drained} callbacks, not {PROCESS_N}"
    processing = [(time.perf_counter() - started) / PROCESS_N] * PROCESS_N  # batches: a mean per message
    processing_cpu = (cpu() - cpu_started) / PROCESS_N

    dispatch, dispatch_cpu = dispatch_cost(runtime, customers, rng, cpu)
    scanners, retention = runtime.features["playbooks"].scanners, runtime.features["retention"]
    def tick(_: int) -> None:
        scanners.finish_enrolments(), runtime.inbox.recover(), runtime.tasks.run_due(), retention.run()

    tick(0)   # warm, and retention's first sweep and rollups out of the way
    cpu_started = cpu()
    ticks = timed(range(TICKS), tick)
    tick_cpu = (cpu() - cpu_started) / TICKS
    with db.session() as session:
        unprocessed = session.scalar(select(func.count()).select_from(Callback)
                                     .where(Callback.status != "processed", Callback.id > counts["callbacks"]))
    runtime.close()
    return {"customers": customers, "messages": counts["messages"], "seed_s": round(seeded, 1),
            "webhook_ms": ms(webhook), "processing_ms": ms(processing), "dispatch_ms": ms(dispatch),
            "tick_ms": ms(ticks), "unprocessed": unprocessed, "round": round_,
            "cpu_ms": {"webhook": round(webhook_cpu * 1000, 3), "processing": round(processing_cpu * 1000, 3),
                       "dispatch": round(dispatch_cpu * 1000, 3), "tick": round(tick_cpu * 1000, 3)}}


def stopped(processor: Any) -> None:
    """The background processor stopped for good: its thread joined however long its batch takes
    on a loaded machine (`stop` waits 10 s at most), so the measured drain handles every callback."""
    processor.stop()
    thread = getattr(processor, "_thread", None)
    if thread is not None:
        thread.join()


def dispatch_cost(runtime: Any, customers: int, rng: random.Random,
                  cpu: Callable[[], float]) -> tuple[list[float], float]:
    """Per-delivery cost (wall, and CPU seconds of this process and the database's backends) of
    dispatching DISPATCH_N due deliveries for random customers (after a warm-up batch), through
    no-op channels, quiet hours off; DISPATCH_REPEATS times over other customers, the median
    taken (one dispatch of 1,000 is half a second, a blip of other work on the machine moves it)."""
    db = runtime.db
    scheduler = runtime.config.scheduler.model_copy(update={"quiet_hours": ("00:00", "00:00")})
    config = runtime.config.model_copy(update={"scheduler": scheduler})
    outbox = Outbox(db, config, runtime.clock, {name: NoopChannel(name) for name in CHANNELS})
    chosen = rng.sample(range(1, customers + 1), DISPATCH_N * DISPATCH_REPEATS + WARMUP)
    due_deliveries(runtime, chosen[:WARMUP])
    outbox.dispatch_due()   # warm: templates compiled, caches filled
    walls, cpus = [], []
    for repeat in range(DISPATCH_REPEATS):
        due_deliveries(runtime, chosen[WARMUP + repeat * DISPATCH_N:WARMUP + (repeat + 1) * DISPATCH_N])
        started, cpu_started = time.perf_counter(), cpu()
        stats = outbox.dispatch_due()
        walls.append((time.perf_counter() - started) / DISPATCH_N)
        cpus.append((cpu() - cpu_started) / DISPATCH_N)
        assert stats.sent == DISPATCH_N, stats
    return [statistics.median(walls)] * DISPATCH_N, statistics.median(cpus)


def due_deliveries(runtime: Any, customer_ids: list[int]) -> None:
    """One active welcome journey per customer, its first step due a second ago; inserted as the
    engine inserts them (indexes in place: dropping and rebuilding the deliveries' indexes here
    would leave the rebuilt index pages in the WAL, for the measured dispatch's commits to copy
    back at the next checkpoint, a cost that grows with the table and that no dispatch pays in
    service). The WAL is then checkpointed, so each size starts its dispatch from the same state."""
    # Stamped before the 剧本效果 rollups' change window (MARK_MARGIN): rows changed within it are read
    # again at every tick, so measuring right after a seeding timed the re-read of the whole seed.
    db, now = runtime.db, runtime.clock.now() - MARK_MARGIN - timedelta(minutes=1)
    with db.session() as session:
        version_id = session.scalar(select(PlaybookVersion.id).where(PlaybookVersion.playbook_id == "welcome-series"))
        enrolments = dict(session.execute(insert(Enrolment.__table__).returning(
            Enrolment.customer_id, Enrolment.id), [
            {"customer_id": c, "playbook_id": "welcome-series", "version_id": version_id, "status": "active",
             "trigger_type": "contact_added", "trigger_at": now, "context": {}, "variants": {}, "enrolled_at": now,
             "settle_after": now + timedelta(days=8), "reason": "", "updated_at": now}
            for c in customer_ids]).all())
        session.execute(insert(Delivery.__table__), [
            {"enrolment_id": enrolments[c], "customer_id": c, "playbook_id": "welcome-series", "step_id": "welcome",
             "occurrence": 0, "idempotency_key": f"{enrolments[c]}:welcome:0", "due_at": now - timedelta(seconds=1),
             "status": "scheduled", "attempts": 0, "last_error": "", "created_at": now, "updated_at": now}
            for c in customer_ids])
    if db.is_sqlite:  # outside any transaction (the bot's connections begin one themselves)
        raw = db.engine.raw_connection()
        try:
            busy, _, _ = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.close()
        if busy:
            logging.getLogger("bench").warning("the WAL could not be checkpointed before the dispatch")


COSTS = ("webhook", "processing", "dispatch", "tick")


def table(results: list[dict[str, Any]]) -> str:
    lines = [f"{'database':<10} {'customers':>10} {'messages':>11} {'round':>5} {'seed s':>7} "
             f"{'webhook ms':>11} {'process ms':>11} {'dispatch ms':>12} {'tick ms':>9}   CPU ms: "
             f"{'webhook':>8} {'process':>8} {'dispatch':>8} {'tick':>8}"]
    for r in results:
        cpu = r["cpu_ms"]
        lines.append(f"{r['database']:<10} {r['customers']:>10,} {r['messages']:>11,} {r['round']:>5} "
                     f"{r['seed_s']:>7} {r['webhook_ms']['mean']:>11.2f} {r['processing_ms']['mean']:>11.2f} "
                     f"{r['dispatch_ms']['mean']:>12.3f} {r['tick_ms']['mean']:>9.1f}           "
                     f"{cpu['webhook']:>8.2f} {cpu['processing']:>8.2f} {cpu['dispatch']:>8.3f} {cpu['tick']:>8.1f}")
    return "\n".join(lines)


def ratios(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per database and round, each cost at the largest size over the same cost at the smallest
    (wall and CPU), and the median over the rounds."""
    out: dict[str, dict[str, Any]] = {}
    for database in sorted({r["database"] for r in results}):
        rounds = []
        for round_ in sorted({r["round"] for r in results if r["database"] == database}):
            rows = sorted((r for r in results if r["database"] == database and r["round"] == round_),
                          key=lambda r: r["customers"])
            if len(rows) < 2:
                continue
            small, large = rows[0], rows[-1]
            rounds.append({**{f"{cost}_wall": round(large[f"{cost}_ms"]["mean"] / small[f"{cost}_ms"]["mean"], 2)
                              for cost in COSTS},
                           **{f"{cost}_cpu": round(large["cpu_ms"][cost] / small["cpu_ms"][cost], 2)
                              for cost in COSTS if small["cpu_ms"][cost]}})
        if rounds:
            out[database] = {"rounds": rounds, "median": {key: statistics.median(r[key] for r in rounds)
                                                          for key in rounds[0]}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="customer counts, comma-separated")
    parser.add_argument("--max-messages", type=int, default=10_000_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a role with CREATEDB); SQLite only without")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of measures; each round measures every size in turn, on the same copies")
    parser.add_argument("--quick", action="store_true", help="2,000 and 50,000 customers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("bench").setLevel(logging.INFO)
    sizes = [2000, 50_000] if args.quick else [int(size) for size in args.sizes.split(",")]
    databases: list[tuple[str, str | None]] = []
    if args.sqlite:
        databases.append(("sqlite", None))
    if args.postgres:
        databases.append(("postgres", args.postgres))
    results = []
    for name, server in databases:
        seeds = {}
        for size in sizes:
            messages = min(size * MESSAGES_PER_CUSTOMER, args.max_messages)
            seeds[size] = (messages, *seeded_database(name, server, size, messages))
        with ExitStack() as stack:  # every size's copy open at once: the rounds alternate sizes
            copies = {size: stack.enter_context(copy_of(name, seed_url, server))
                      for size, (_, seed_url, _) in seeds.items()}
            for round_ in range(args.rounds):
                for size in sizes:
                    messages, _, seeded = seeds[size]
                    load = os.getloadavg()[0]
                    results.append({"database": name, **measure(copies[size], size, messages, seeded, round_),
                                    "load_average": round(load, 1)})
                    print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(results))
    found = ratios(results)
    for database, found_ratios in found.items():
        for round_, values in enumerate(found_ratios["rounds"]):
            print(f"{database} round {round_}: largest/smallest " + ", ".join(f"{k} {v}x" for k, v in values.items()))
        print(f"{database} median: " + ", ".join(f"{k} {v}x" for k, v in found_ratios["median"].items()))
    print(json.dumps({"bench": "scale", "results": results, "ratios": found}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
