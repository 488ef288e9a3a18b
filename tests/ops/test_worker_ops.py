"""A real `siyu worker`: it serves its counters on [metrics] worker_bind, its heartbeat tells
`siyu doctor` a scheduler runs, and a clean stop removes the heartbeat at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from bot.config import config_from_dict
from bot.ops.doctor import Doctor

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scheduler_findings(database_url: str) -> list[tuple[str, str]]:
    doctor = Doctor(config_from_dict({"database": {"url": database_url}}))
    doctor.check_database()
    doctor.check_scheduler()
    return [(f.level, f.message) for f in doctor.findings if f.area == "调度器"]


def test_worker_serves_metrics_and_beats_until_stopped(sqlite_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SIYU_CONFIG": str(ROOT / "config.example.toml"), "SIYU_DATABASE__URL": sqlite_url,
           "SIYU_BOT__PLAYBOOKS_DIR": str(ROOT / "playbooks"),
           "SIYU_BOT__TAG_RULES": str(ROOT / "rules" / "tags.toml"), "SIYU_METRICS__WORKER_BIND": f"127.0.0.1:{port}",
           "SIYU_WECOM__CORP_ID": "wwTEST", "SIYU_WECOM__SECRET": "test-secret"}  # worker refuses empty ones
    (tmp_path / "prom").mkdir()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prom")        # as the Dockerfile sets it
    assert scheduler_findings(sqlite_url)[0][0] == "error"           # nothing runs yet
    worker = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, text = time.monotonic() + 60, ""
        while time.monotonic() < deadline and 'job="heartbeat",outcome="ok"' not in text:
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            try:
                text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except requests.RequestException:
                pass
            time.sleep(0.3)
        assert 'siyu_scheduler_job_runs_total{job="heartbeat",outcome="ok"}' in text
        level, message = scheduler_findings(sqlite_url)[0]
        assert level == "ok" and f"pid {worker.pid}" in message
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert scheduler_findings(sqlite_url)[0][0] == "error"           # the clean stop removed its heartbeat
