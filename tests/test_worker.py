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
