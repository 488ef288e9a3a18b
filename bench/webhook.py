"""Webhook throughput: encrypted text pushes acked, then processed, beside WeRoBot, in one process.

The ack path: Siyu verifies the signature, decrypts, parses, stores the push durably (once) and
answers, with the passive reply decided in memory; routing is off the request path (the batch
processor, in `siyu serve` or a `siyu worker`), so it is not woken while the acks are timed.
WeRoBot (the Python peer for Official Account bots) verifies, decrypts and answers with an
encrypted keyword reply, storing nothing. Both are driven in-process through the same WSGI test
client with the same pre-encrypted safe-mode pushes; Siyu's WeCom endpoint is measured too.
Blocks of the systems are interleaved so drift hits them alike. Then the processing rate: the
stored pushes of both endpoints routed in batches (messages stored, tagged, forwarded...), timed
apart. Last, the ack path with several threads at once (the spool's group commit on SQLite).

    .venv/bin/python bench/webhook.py [--n 2000 | --quick] [--postgres URL] [--profile]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import hashlib
import io
import json
import logging
import math
import os
import pstats
import re
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Runnable as `python bench/webhook.py` from a checkout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xmltodict  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from wechatpy.crypto import WeChatCrypto as MpCrypto  # noqa: E402
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto  # noqa: E402
from werkzeug.test import Client  # noqa: E402
from werobot import WeRoBot  # noqa: E402

import handlers  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.config import config_from_dict  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.ops.heap import freeze_start_up_heap  # noqa: E402
from bot.models import Callback, Message, Task  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.schema import upgrade  # noqa: E402

DEFAULT_N = 2000
QUICK_N = 300
WARMUP = 100
ROUNDS = 5
CONCURRENCY = (1, 4, 16)  # requests in flight at once, for the group-commit figures
CUSTOMERS = 250  # distinct openids: most pushes come from a customer the bot has seen before
GUIDES = 20  # distinct WeCom userids writing to the self-built app
# The shipped rules and playbooks, wherever the bench is started from.
PLAYBOOKS_DIR = Path(__file__).resolve().parent.parent / "playbooks"

MP_TOKEN = "siyubenchtoken"
MP_APP_ID = "wx5f1c0ffee0bench"
MP_ORIGINAL_ID = "gh_5f1c0ffee0b1"
CORP_ID = "ww5f1c0ffee0bench"
AGENT_ID = 1000002
WECOM_TOKEN = "siyubenchworktoken"

# What customers of a clinic write to its Official Account; none of them asks the bot for help,
# so Siyu stores them without a passive reply (a guide answers later).
CUSTOMER_TEXTS = (
    "你好，请问这个周末还能预约吗？",
    "上次做的那个项目多少钱？",
    "我想咨询一下牙齿矫正的费用",
    "好的，谢谢！",
    "请问你们晚上几点关门",
    "地址在哪里？附近停车方便吗",
    "上个月的活动还有吗？我朋友也想来",
    "我昨天在小程序下单了，什么时候能发货",
    "可以开发票吗？公司报销要用",
    "能改到下周三下午吗",
    "不好意思，今天临时有事去不了了",
    "医生说两周后要复诊，麻烦帮我约一下",
    "收到，辛苦了",
    "会员卡的积分怎么用？",
    "孩子几岁可以开始做口腔检查",
    "价格能再优惠一点吗",
    "在吗？",
    "术后第三天还有点肿，这正常吗",
    "这个套餐具体包含哪些项目？能发一份详细介绍吗，我想和家里人商量一下再决定",
    "👍",
)

# WeRoBot's keyword rules (matched with its own `robot.filter`) and its default answer.
KEYWORD_REPLIES = (
    ("价格|多少钱|费用|优惠", "您好，价格因项目和方案而异，顾问稍后为您详细报价。"),
    ("预约|约一下|改到|复诊", "好的，请告诉我们方便的日期和时间，顾问会为您安排。"),
    ("地址|停车|几点", "门店地址和营业时间已发到您的手机，欢迎到店。"),
)
DEFAULT_REPLY = "已收到您的消息，顾问会尽快回复您。"


# -- pushes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    """One pre-encrypted POST: everything the driver sends, built before the clock starts."""

    url: str
    body: bytes
    content: str


def new_aes_key() -> str:
    """A 43-character EncodingAESKey, as the consoles issue them."""
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def text_xml(to: str, sender: str, content: str, msgid: int, created: int, agent_id: int | None = None) -> str:
    agent = f"<AgentID>{agent_id}</AgentID>" if agent_id is not None else ""
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msgid}</MsgId>{agent}</xml>")


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def sealed(crypto: MpCrypto | WorkCrypto, xml: str, nonce: str, timestamp: str) -> tuple[str, str]:
    """(Encrypt, MsgSignature) of one message, as WeChat's servers compute them."""
    envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
    return envelope["Encrypt"], envelope["MsgSignature"]


def mp_pushes(crypto: MpCrypto, first_msgid: int, count: int) -> list[Push]:
    """Safe-mode Official Account text pushes, in the query and body shape WeChat uses."""
    pushes = []
    for i in range(count):
        content = CUSTOMER_TEXTS[i % len(CUSTOMER_TEXTS)]
        openid = f"oBench{i * 7919 % CUSTOMERS:06d}qXyZ9kLmN0pQrSt"
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        xml = text_xml(MP_ORIGINAL_ID, openid, content, first_msgid + i, int(timestamp))
        encrypt, msg_signature = sealed(crypto, xml, nonce, timestamp)
        query = {"signature": sha1_signature(MP_TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                 "openid": openid, "encrypt_type": "aes", "msg_signature": msg_signature}
        body = (f"<xml><ToUserName><![CDATA[{MP_ORIGINAL_ID}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        pushes.append(Push(f"/wechat/mp?{urlencode(query)}", body.encode(), content))
    return pushes


def wecom_pushes(crypto: WorkCrypto, first_msgid: int, count: int) -> list[Push]:
    """Self-built app text pushes from guides, the same texts as the Official Account ones."""
    pushes = []
    for i in range(count):
        content = CUSTOMER_TEXTS[i % len(CUSTOMER_TEXTS)]
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        xml = text_xml(CORP_ID, f"guide{i % GUIDES:02d}", content, first_msgid + i, int(timestamp), AGENT_ID)
        encrypt, msg_signature = sealed(crypto, xml, nonce, timestamp)
        query = {"msg_signature": msg_signature, "timestamp": timestamp, "nonce": nonce}
        body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        pushes.append(Push(f"/wechat/work?{urlencode(query)}", body.encode(), content))
    return pushes


# -- the two systems ---------------------------------------------------------------------------


def siyu_app(database_url: str, mp_aes_key: str, wecom_aes_key: str) -> Flask:
    """The bot as `siyu serve` builds it, with callback credentials only: no API secrets, so no
    WeChat client exists that could call out."""
    config = config_from_dict({
        "database": {"url": database_url},
        "mp": {"app_id": MP_APP_ID, "token": MP_TOKEN, "encoding_aes_key": mp_aes_key},
        # Callback keys only (enabled = false: no secret, so no API client, and no start-up refusal).
        "wecom": {"enabled": False, "corp_id": CORP_ID, "agent_id": AGENT_ID, "token": WECOM_TOKEN,
                  "encoding_aes_key": wecom_aes_key},
        "bot": {"playbooks_dir": str(PLAYBOOKS_DIR)},
    }, source="bench")
    upgrade(Database(database_url, Clock()))
    app = create_app(config, handlers.routers())
    freeze_start_up_heap()  # as serve does once the app is built
    return app


def expected_reply(content: str) -> str:
    for pattern, reply in KEYWORD_REPLIES:
        if re.search(pattern, content):
            return reply
    return DEFAULT_REPLY


def werobot_app(mp_aes_key: str) -> WeRoBot:
    """WeRoBot in safe mode answering with keyword replies; sessions off (they would write a
    SQLite file into the working directory on every message)."""
    robot = WeRoBot(token=MP_TOKEN, encoding_aes_key=mp_aes_key, app_id=MP_APP_ID, SESSION_STORAGE=False)
    for pattern, reply in KEYWORD_REPLIES:
        robot.filter(re.compile(f".*(?:{pattern})", re.S))(answering(reply))
    robot.text(answering(DEFAULT_REPLY))
    return robot


def answering(reply: str) -> Callable[[Any], str]:
    """A WeRoBot handler; it passes as many arguments as the handler names, so name one."""
    return lambda message: reply


def decrypted_reply_content(crypto: MpCrypto, body: bytes) -> str:
    envelope = xmltodict.parse(body)["xml"]
    plain = crypto.decrypt_message(envelope, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    return str(xmltodict.parse(plain)["xml"]["Content"])


def null_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answers without reading anything: what the test client alone costs per request."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "7")])
    return [b"success"]


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Run:
    """Per-request latencies and responses of one system, over all its measured blocks."""

    name: str
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    responses: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def msgs_per_s(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


def drive(client: Client, pushes: Sequence[Push], run: Run | None = None) -> None:
    """POST each push in turn; with `run`, time every request and the whole block."""
    started = time.perf_counter()
    for push in pushes:
        before = time.perf_counter()
        response = client.post(push.url, data=push.body, content_type="text/xml")
        after = time.perf_counter()
        if run is not None:
            run.latencies.append(after - before)
            run.responses.append((response.status_code, response.get_data()))
    if run is not None:
        run.elapsed += time.perf_counter() - started


def blocks(items: Sequence[Push], count: int) -> list[Sequence[Push]]:
    size = math.ceil(len(items) / count)
    return [items[i:i + size] for i in range(0, len(items), size)]


class NetworkGuard:
    """Records every outbound connection or DNS lookup from Python code while armed.

    The bench must measure work that stays on this machine; psycopg connects from libpq, in C,
    so a PostgreSQL database does not show up here.
    """

    def __init__(self) -> None:
        self.armed = False
        self.attempts: list[str] = []
        sys.addaudithook(self._audit)

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if self.armed and event in ("socket.connect", "socket.getaddrinfo"):
            self.attempts.append(f"{event}{args[1:]!r}")


# -- databases ---------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="siyu-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'siyu.db'}"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A scratch database on the server `server_url` points at, dropped afterwards."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{os.environ.get('SIYU_BENCH_DB_PREFIX', 'siyu_bench')}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin: Engine, name: str) -> None:
    """Drop a scratch database, ending the sessions still connected to it (`admin`: autocommit)."""
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


def stored_counts(runtime: Runtime) -> dict[str, int]:
    """Callbacks processed without a handler error, and inbound messages, per endpoint."""
    with runtime.db.session() as session:
        def count(query: Any) -> int:
            return int(session.scalar(query) or 0)

        clean = Callback.status == "processed", Callback.error == ""
        return {
            "mp_callbacks": count(select(func.count()).where(Callback.channel == "mp", *clean)),
            "mp_messages": count(select(func.count()).where(Message.channel == "mp", Message.direction == "in")),
            "wecom_callbacks": count(select(func.count()).where(Callback.channel == "wecom", *clean)),
            "wecom_messages": count(select(func.count()).where(Message.channel == "wecom_app",
                                                               Message.direction == "in")),
            "all_callbacks": count(select(func.count()).select_from(Callback)),
            "tasks": count(select(func.count()).select_from(Task)),
            "outbound": count(select(func.count()).where(Message.direction == "out")),
        }


# -- the bench ---------------------------------------------------------------------------------


def bench(n: int, database_url: str, database: str, profile: bool) -> dict[str, Any]:
    mp_key, wecom_key = new_aes_key(), new_aes_key()
    mp_crypto = MpCrypto(MP_TOKEN, mp_key, MP_APP_ID)
    first_msgid = time.time_ns() // 1000  # unique per run, like WeChat's 64-bit MsgIds
    warm_mp = mp_pushes(mp_crypto, first_msgid, WARMUP)
    mp = mp_pushes(mp_crypto, first_msgid + WARMUP, n)
    work_crypto = WorkCrypto(WECOM_TOKEN, wecom_key, CORP_ID)
    warm_wecom = wecom_pushes(work_crypto, first_msgid, WARMUP)
    wecom = wecom_pushes(work_crypto, first_msgid + WARMUP, n)

    app = siyu_app(database_url, mp_key, wecom_key)
    runtime: Runtime = app.extensions["siyu"]
    # Sends to WeChat (a guide's command answered by app message) are not measured: no client here.
    runtime.tasks.stop()
    runtime.processor.wake_tasks = None
    siyu_client, werobot_client, null_client = Client(app), Client(werobot_app(mp_key).wsgi), Client(null_app)
    guard = NetworkGuard()
    guard.armed = True
    try:
        for client, pushes in ((siyu_client, warm_mp), (siyu_client, warm_wecom), (werobot_client, warm_mp),
                               (null_client, warm_mp)):
            drive(client, pushes)
        # Processing runs elsewhere (a `siyu worker`) while the acks are timed: never woken here.
        runtime.processor.stop()
        runtime.processor_waker = lambda: None
        runtime.processor.drain()
        before = stored_counts(runtime)

        runs = {name: Run(name) for name in ("siyu_mp", "siyu_wecom", "werobot", "driver")}
        plan = [("siyu_mp", siyu_client, blocks(mp, ROUNDS)), ("siyu_wecom", siyu_client, blocks(wecom, ROUNDS)),
                ("werobot", werobot_client, blocks(mp, ROUNDS)), ("driver", null_client, blocks(mp, ROUNDS))]
        for round_ in range(ROUNDS):
            # Rotate who goes first so that no system always follows the same neighbour.
            for name, client, parts in plan[round_ % len(plan):] + plan[:round_ % len(plan)]:
                drive(client, parts[round_], runs[name])

        started = time.perf_counter()
        processed = runtime.processor.drain(max_batches=100_000)
        processing_s = time.perf_counter() - started
        after = stored_counts(runtime)
        concurrent = {threads: concurrent_acks(app, mp_pushes(mp_crypto, first_msgid + (threads + 1) * 10 * n,
                                                              n), threads)
                      for threads in CONCURRENCY}
        if profile:
            profile_siyu(siyu_client, mp_pushes(mp_crypto, first_msgid + WARMUP + n, min(n, 500)))
    finally:
        guard.armed = False
        runtime.close()

    verify(n, runs, before, after, mp, mp_crypto, guard)
    siyu, wecom_run, werobot, driver = runs["siyu_mp"], runs["siyu_wecom"], runs["werobot"], runs["driver"]
    return {
        "bench": "webhook",
        "n": n,
        "siyu_mp_msgs_per_s": round(siyu.msgs_per_s, 1),
        "siyu_mp_p50_ms": round(siyu.percentile_ms(0.50), 3),
        "siyu_mp_p99_ms": round(siyu.percentile_ms(0.99), 3),
        "siyu_wecom_msgs_per_s": round(wecom_run.msgs_per_s, 1),
        "siyu_wecom_p50_ms": round(wecom_run.percentile_ms(0.50), 3),
        "siyu_wecom_p99_ms": round(wecom_run.percentile_ms(0.99), 3),
        "werobot_msgs_per_s": round(werobot.msgs_per_s, 1),
        "werobot_p50_ms": round(werobot.percentile_ms(0.50), 3),
        "werobot_p99_ms": round(werobot.percentile_ms(0.99), 3),
        "ratio": round(siyu.msgs_per_s / werobot.msgs_per_s, 3),
        "processed": processed,
        "processing_msgs_per_s": round(processed / processing_s, 1),
        "concurrent_ack_msgs_per_s": {str(k): round(v, 1) for k, v in concurrent.items()},
        "driver_p50_ms": round(driver.percentile_ms(0.50), 3),
        "database": database,
    }


def concurrent_acks(app: Flask, pushes: Sequence[Push], threads: int) -> float:
    """Acks per second with `threads` requests in flight at once (one test client each)."""
    parts = [pushes[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=drive, args=(Client(app), part)) for part in parts]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(pushes) / (time.perf_counter() - started)


def verify(n: int, runs: dict[str, Run], before: dict[str, int], after: dict[str, int], mp: Sequence[Push],
           mp_crypto: MpCrypto, guard: NetworkGuard) -> None:
    """The figures count real work: every push stored and routed once, every reply correct."""
    assert not guard.attempts, f"something reached for the network: {guard.attempts[:3]}"
    for key in ("mp_callbacks", "mp_messages", "wecom_callbacks", "wecom_messages"):
        assert after[key] - before[key] == n, f"{key}: stored {after[key] - before[key]}, expected {n}"
    assert after["all_callbacks"] - before["all_callbacks"] == 2 * n, "a push was stored twice or not at all"
    assert after["outbound"] == 0, "nothing should have been sent"
    assert all(resp == (200, b"success") for resp in runs["siyu_mp"].responses), "Siyu MP: not acked with success"
    assert all(resp == (200, b"") for resp in runs["siyu_wecom"].responses), "Siyu WeCom: not acked empty"
    assert len(runs["werobot"].responses) == len(mp) == n
    for push, (status, body) in zip(mp, runs["werobot"].responses, strict=True):
        assert status == 200, f"WeRoBot answered {status}"
        assert decrypted_reply_content(mp_crypto, body) == expected_reply(push.content), "WeRoBot: wrong reply"


def profile_siyu(client: Client, pushes: Sequence[Push]) -> None:
    """Where Siyu's Official Account path spends its time; after the measurement, untimed."""
    profiler = cProfile.Profile()
    profiler.enable()
    drive(client, pushes)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    print(f"--- profile of {len(pushes)} Siyu MP pushes ---\n{out.getvalue()}", file=sys.stderr)


def table(figures: dict[str, Any]) -> str:
    rows = [("siyu mp", "siyu_mp"), ("siyu wecom", "siyu_wecom"), ("werobot mp", "werobot")]
    lines = [f"webhook bench: {figures['n']} encrypted text pushes per system, {figures['database']}",
             f"{'system':<12} {'msgs/s':>10} {'p50 ms':>9} {'p99 ms':>9}"]
    for label, key in rows:
        lines.append(f"{label:<12} {figures[f'{key}_msgs_per_s']:>10.1f} {figures[f'{key}_p50_ms']:>9.3f} "
                     f"{figures[f'{key}_p99_ms']:>9.3f}")
    lines.append(f"siyu/werobot ack throughput: {figures['ratio']:.3f}  "
                 f"(test-client cost alone: p50 {figures['driver_p50_ms']:.3f} ms per request)")
    lines.append(f"processing after the ack: {figures['processed']} pushes at {figures['processing_msgs_per_s']:.1f}/s")
    lines.append("siyu mp acks/s by requests in flight: " + ", ".join(
        f"{k}: {v:.1f}" for k, v in figures["concurrent_ack_msgs_per_s"].items()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="measured messages per system")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N} messages per system")
    parser.add_argument("--postgres", metavar="URL",
                        help="measure on PostgreSQL: a scratch database is created on this server and dropped")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of Siyu's MP path to stderr")
    args = parser.parse_args(argv)
    n = QUICK_N if args.quick else args.n
    if n < ROUNDS:
        parser.error(f"--n must be at least {ROUNDS}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    database = "postgresql" if args.postgres else "sqlite"
    with postgres_database(args.postgres) if args.postgres else sqlite_database() as url:
        figures = bench(n, url, database, args.profile)
    print(table(figures))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
