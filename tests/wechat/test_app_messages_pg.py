"""App-message counting across real processes on PostgreSQL: two workers writing to one guide at once
stay within WeChat's 30 a minute together, and nothing is dropped."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.models import AppMessage
from tests.playbooks.test_multiprocess_pg import ROOT, world  # noqa: F401 (the fixture: PG, simulator, config file)

pytestmark = pytest.mark.postgres

SEND = """
import sys
from bot.clock import Clock
from bot.config import load_config
from bot.assembly import build_runtime
runtime = build_runtime(load_config(sys.argv[1]), [], Clock())
for n in range(25):
    assert runtime.outbound.send_app_text("guide_li", f"{sys.argv[2]} 转发 {n}").ok
runtime.close()
"""


def test_two_processes_share_the_count_and_hold_the_rest_for_a_digest(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    runtime, sim, config_file = world
    workers = [subprocess.Popen([sys.executable, "-c", SEND, str(config_file), name], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
               for name in ("甲", "乙")]
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]

    records = sim.sent(api="message/send", to="guide_li")
    assert len(records) == 30 and all(r["delivered"] for r in records)   # none over the limit, none dropped
    with runtime.db.session() as session:
        held = session.scalar(select(func.count()).select_from(AppMessage).where(AppMessage.status == "held"))
    assert held == 20                                                     # waiting for the digest
