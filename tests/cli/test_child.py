"""`siyu serve` routes in a child process: what serve acked is processed there, and a child that
dies is started again (the operator runs one command, as before)."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.test_cli import ROOT, SIYU, free_port, run, wait_healthy

TOKEN = "childtoken"


def mp_text(port: int, msgid: int, content: str) -> requests.Response:
    """A plaintext Official Account text, signed as WeChat signs it."""
    timestamp, nonce = str(int(time.time())), f"n{msgid}"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    xml = (f"<xml><ToUserName><![CDATA[gh_child]]></ToUserName><FromUserName><![CDATA[oCHILD{msgid}]]>"
           f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{content}]]></Content><MsgId>{msgid}</MsgId></xml>")
    return requests.post(f"http://127.0.0.1:{port}/wechat/mp",
                         params={"signature": signature, "timestamp": timestamp, "nonce": nonce},
                         data=xml.encode(), timeout=30)


def eventually(check: Callable[[], object], what: str, timeout: float = 90) -> object:
    """Poll until `check` returns something truthy (the child starts, routes, restarts in its time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def children(pid: int) -> list[int]:
    """Live children of `pid`, whichever of its threads started them."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that just ended
            continue
    return found


def processed_messages(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT content FROM messages WHERE direction = 'in' ORDER BY id")]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    database = tmp_path / "siyu.db"
    env = {**os.environ, "SIYU_DATABASE__URL": f"sqlite:///{database}",
           "SIYU_CONFIG": str(ROOT / "config.example.toml"),
           "SIYU_MP__APP_ID": "wxchild", "SIYU_MP__TOKEN": TOKEN, "SIYU_WECOM__ENABLED": "false",
           "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks")}
    assert run("init", env=env).returncode == 0
    port = free_port()
    process = subprocess.Popen([*SIYU, "serve", "--port", str(port)], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield process, port, database
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the child's pid from /proc")
def test_serve_processes_in_a_child_started_again_after_a_kill(serve: tuple[subprocess.Popen[str], int, Path]) -> None:
    process, port, database = serve
    first = eventually(lambda: children(process.pid), "serve started its processing child")
    assert mp_text(port, 1, "周六还能约吗").status_code == 200
    eventually(lambda: processed_messages(database) == ["周六还能约吗"], "the child routed the acked push")

    os.kill(first[0], signal.SIGKILL)  # the child dies; serve keeps answering and starts another
    assert mp_text(port, 2, "价格多少").status_code == 200
    second = eventually(lambda: [pid for pid in children(process.pid) if pid not in first], "a new child")
    eventually(lambda: processed_messages(database) == ["周六还能约吗", "价格多少"], "the new child routed it")
    assert second

    process.send_signal(signal.SIGTERM)  # serve stops its child with itself
    assert process.wait(timeout=60) == 0
    assert not Path(f"/proc/{second[0]}").exists() or "zombie" in Path(f"/proc/{second[0]}/status").read_text()


def counter(body: str, name: str) -> float:
    """The sum of a counter's samples in a /metrics body (every label set)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith(name + "{") or line.startswith(name + " "))


def test_serve_metrics_count_what_its_child_routed(serve: tuple[subprocess.Popen[str], int, Path]) -> None:
    # An operator scraping serve's /metrics sees the routing done in the child beside serve's acks.
    _, port, database = serve
    assert mp_text(port, 3, "想约周六做水光").status_code == 200
    eventually(lambda: processed_messages(database) == ["想约周六做水光"], "the child routed the push")

    def scraped() -> str | None:
        body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        return body if counter(body, "siyu_callbacks_processed_total") >= 1 else None

    body = str(eventually(scraped, "serve's /metrics counts the child's routing"))
    assert counter(body, "siyu_callbacks_acked_total") >= 1
