"""Load and kill: no acked push is lost (issue 10).

N encrypted Official Account texts from several threads to two `siyu serve` web processes (plus
a `siyu worker`) on PostgreSQL, while one of them is killed with SIGKILL every few seconds and started again; the
client retries like WeChat (same body, up to 3 more times, on a timeout, an error or a refused
connection, to either process). Then it waits for processing and checks that every acked push
is stored once and processed once, printing the figures and one JSON line.

    .venv/bin/python bench/load_and_kill.py [--pushes 2000] [--threads 4] [--customers 300]
        [--kill-every 3] [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

Uses ports 8811-8812 and the database `inbound_load_and_kill` (dropped and created again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import xmltodict
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from wechatpy.crypto import WeChatCrypto

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.models import Callback, Message  # noqa: E402

TOKEN, APP_ID = "loadkilltoken", "wxloadkill0001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PORTS = (8811, 8812)
DATABASE = "inbound_load_and_kill"


def sealed_push(crypto: WeChatCrypto, openid: str, msgid: str, content: str) -> tuple[dict[str, str], bytes]:
    """The query string and body WeChat sends for one encrypted Official Account text."""
    now = str(int(time.time()))
    xml = xmltodict.unparse({"xml": {"ToUserName": "gh_loadkill", "FromUserName": openid, "CreateTime": now,
                                     "MsgType": "text", "Content": content, "MsgId": msgid}})
    nonce = secrets.token_hex(8)
    sealed = xmltodict.parse(crypto.encrypt_message(xml, nonce, now))["xml"]
    body = xmltodict.unparse({"xml": {"ToUserName": "gh_loadkill", "Encrypt": sealed["Encrypt"]}})
    params = {"signature": hashlib.sha1("".join(sorted([TOKEN, now, nonce])).encode()).hexdigest(),
              "timestamp": now, "nonce": nonce, "openid": openid, "encrypt_type": "aes",
              "msg_signature": sealed["MsgSignature"]}
    return params, body.encode()


def fresh_database(admin_url: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    engine.dispose()
    return make_url(admin_url).set(database=DATABASE).render_as_string(hide_password=False)


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "SIYU_CONFIG": str(ROOT / "config.example.toml"), "SIYU_DATABASE__URL": url,
            "SIYU_MP__APP_ID": APP_ID, "SIYU_MP__TOKEN": TOKEN, "SIYU_MP__ENCODING_AES_KEY": AES_KEY,
            "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks"), "SIYU_LOGGING__LEVEL": "WARNING",
            "SIYU_WECOM__ENABLED": "false"}  # only the Official Account pushes here


class WebProcesses:
    """Two `siyu serve` processes and a `siyu worker`; `kill_one` SIGKILLs a web process and starts it again."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.procs = {port: self._start(port) for port in PORTS}
        self.worker = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kills = 0

    def _start(self, port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--no-scheduler", "--port", str(port)],
                                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for port in PORTS:
            while True:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"web process on {port} did not start")
                time.sleep(0.2)

    def kill_one(self) -> None:
        port = PORTS[self.kills % len(PORTS)]
        self.procs[port].send_signal(signal.SIGKILL)
        self.procs[port].wait()
        self.kills += 1
        self.procs[port] = self._start(port)

    def stop(self) -> None:
        for proc in (*self.procs.values(), self.worker):
            proc.terminate()
        for proc in (*self.procs.values(), self.worker):
            proc.wait(timeout=20)


def push_with_retries(crypto: WeChatCrypto, n: int, customers: int) -> tuple[str, bool, int]:
    """One push, retried like WeChat; returns (MsgId, acked, attempts)."""
    msgid = f"{9_000_000_000 + n}"
    params, body = sealed_push(crypto, f"oLOAD{n % customers:05d}", msgid, f"第{n}条：想问下价格")
    for attempt in range(4):
        port = PORTS[(n + attempt) % len(PORTS)]
        try:
            response = requests.post(f"http://127.0.0.1:{port}/wechat/mp", params=params, data=body, timeout=5,
                                     headers={"Content-Type": "text/xml; charset=utf-8"})
            if response.status_code == 200:
                return msgid, True, attempt + 1
        except requests.RequestException:
            pass
        time.sleep(0.2 * (attempt + 1))
    return msgid, False, 4


def wait_processed(engine, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.scalar(select(func.count()).select_from(Callback)
                                  .where(Callback.status.in_(("received", "failed"))))
        if not waiting:
            return
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    url = fresh_database(args.admin_url)
    env = environment(url)
    subprocess.run([sys.executable, "-m", "bot.cli", "init"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    web = WebProcesses(env)
    web.wait_ready()
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    stop_killing = threading.Event()

    def killer() -> None:
        while not stop_killing.wait(args.kill_every):
            web.kill_one()

    started = time.monotonic()
    threading.Thread(target=killer, daemon=True).start()
    try:
        with ThreadPoolExecutor(args.threads) as pool:
            results = list(pool.map(lambda n: push_with_retries(crypto, n, args.customers), range(args.pushes)))
        stop_killing.set()
        sent_seconds = time.monotonic() - started
        web.wait_ready()
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        wait_processed(engine, timeout=120)
        acked = {msgid for msgid, ok, _ in results if ok}
        with engine.connect() as conn:
            stored = dict(conn.execute(select(Callback.dedupe_key, Callback.status)).all())
            messages = conn.execute(select(Message.wechat_msgid, func.count()).where(Message.direction == "in")
                                    .group_by(Message.wechat_msgid)).all()
        engine.dispose()
    finally:
        stop_killing.set()
        web.stop()
    processed_count = dict(messages)
    stored_ids = {key.rsplit(":", 1)[-1]: status for key, status in stored.items()}
    figures = {
        "pushes": args.pushes, "acked": len(acked), "retried_attempts": sum(a - 1 for _, _, a in results),
        "kills": web.kills, "seconds": round(sent_seconds, 1),
        "acked_stored_once": sum(1 for m in acked if m in stored_ids),
        "acked_processed_once": sum(1 for m in acked if processed_count.get(m) == 1),
        "lost": sum(1 for m in acked if m not in stored_ids or m not in processed_count),
        "processed_twice": sum(1 for count in processed_count.values() if count > 1),
        "dead": sum(1 for status in stored_ids.values() if status == "dead"),
        "still_waiting": sum(1 for status in stored_ids.values() if status in ("received", "failed")),
    }
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    print(json.dumps({"bench": "load_and_kill", **figures}))
    ok = figures["lost"] == 0 and figures["processed_twice"] == 0 and figures["acked_processed_once"] == len(acked)
    print("OK: every acked push stored once and processed once" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
