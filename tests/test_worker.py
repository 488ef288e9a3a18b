"""`siyu worker` (the scheduler alone, for scaled deployments) runs the work web processes left:
here two workers share a PostgreSQL database and each queued notice is sent exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.models import Task
from tests.support.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgres


def worker_env(h: Harness) -> dict[str, str]:
    wecom, mp = h.config.wecom, h.config.mp
    return {
        **os.environ,
        "SIYU_CONFIG": str(ROOT / "config.example.toml"),
        "SIYU_DATABASE__URL": h.config.database.url,
        "SIYU_WECOM__CORP_ID": wecom.corp_id,
        "SIYU_WECOM__AGENT_ID": str(wecom.agent_id),
        "SIYU_WECOM__SECRET": wecom.secret.get_secret_value(),
        "SIYU_WECOM__TOKEN": wecom.token.get_secret_value(),
        "SIYU_WECOM__ENCODING_AES_KEY": wecom.encoding_aes_key.get_secret_value(),
        "SIYU_WECOM__API_BASE_URL": wecom.api_base_url,
        "SIYU_MP__APP_ID": mp.app_id,
        "SIYU_MP__SECRET": mp.secret.get_secret_value(),
        "SIYU_MP__API_BASE_URL": mp.api_base_url,
        "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks"),
        "SIYU_BOT__TAG_RULES": str(ROOT / "rules" / "tags.toml"),
    }


def test_two_workers_send_queued_notices_exactly_once(postgres_server_url: str) -> None:
    from tests.conftest import truncate_all

    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    workers: list[subprocess.Popen[str]] = []
    try:
        with h.db.session() as session:
            for n in range(20):
                session.add(Task(kind="notify_guide", key=f"notice:{n}", run_at=h.runtime.clock.now(),
                                 payload={"userid": "guide_li", "text": f"提醒 {n}"}))
        env = worker_env(h)
        workers = [subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with h.db.session() as session:
                done = session.scalar(select(func.count()).select_from(Task).where(Task.status == "done"))
            if done == 20:
                break
            assert all(w.poll() is None for w in workers), [w.stdout.read() for w in workers if w.stdout]
            time.sleep(0.3)
        delivered = h.sim.delivered(api="message/send", to="guide_li")
        assert sorted(delivered) == sorted(f"提醒 {n}" for n in range(20))
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
        h.close()


def test_a_worker_routes_in_processor_children_restarting_a_killed_one(postgres_server_url: str) -> None:
    # [inbound] worker_processors: the worker routes in children of its own (the web processes only
    # store) and sends the guides' forwards itself; a child killed is started again, and every
    # customer text is routed once, in order.
    from bot.models import Message
    from tests.cli.test_child import children, eventually
    from tests.conftest import truncate_all

    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url, inbound={"processing": "worker"})
    h.seed_staff()
    env = {**worker_env(h), "SIYU_INBOUND__WORKER_PROCESSORS": "2"}
    worker = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def routed() -> list[tuple[str, str]]:
        with h.db.session() as session:
            return [(str(m.customer_id), m.content) for m in session.scalars(
                select(Message).where(Message.direction == "in").order_by(Message.id))]

    def says(openids: list[str], texts: list[str]) -> None:
        for text in texts:
            for openid in openids:
                h.sim.mp_text(openid, f"{openid} {text}")

    try:
        first = eventually(lambda: len(children(worker.pid)) == 2 and children(worker.pid), "two processor children")
        openids = ["oWORKERA", "oWORKERB", "oWORKERC"]
        for openid in openids:
            h.sim.mp_subscribe(openid)
        says(openids, ["第一句", "第二句"])
        eventually(lambda: len(routed()) == 6, "the children routed the stored pushes")
        os.kill(first[0], 9)  # SIGKILL: the worker starts another
        says(openids, ["第三句"])
        second = eventually(lambda: [p for p in children(worker.pid) if p not in first], "a new child")
        eventually(lambda: len(routed()) == 9, "the pushes stored meanwhile were routed")
        for openid in openids:  # each once, in the order the customer wrote them
            assert [text for _, text in routed() if text.startswith(openid)] == [
                f"{openid} 第一句", f"{openid} 第二句", f"{openid} 第三句"]
        eventually(lambda: len(h.sim.delivered(api="message/send")) >= 9, "the worker sent the forwards")
        assert worker.poll() is None
    finally:
        worker.terminate()
        assert worker.wait(timeout=60) == 0  # SIGTERM: the worker stops its children with itself
        h.close()
    for pid in [*first, *second]:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
