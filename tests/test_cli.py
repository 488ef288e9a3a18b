"""The `siyu` command as an operator runs it, in subprocesses."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SIYU = [sys.executable, "-m", "bot.cli"]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SIYU, *args], capture_output=True, text=True, timeout=120, cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_init_creates_then_upgrades_idempotently(tmp_path: Path) -> None:
    env = {"SIYU_DATABASE__URL": f"sqlite:///{tmp_path}/siyu.db", "SIYU_CONFIG": str(ROOT / "config.example.toml")}
    first = run("init", env=env)
    assert first.returncode == 0, first.stderr
    assert "database ready" in first.stdout
    with sqlite3.connect(tmp_path / "siyu.db") as conn:   # the planner's statistics were gathered
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() == (1,)
    second = run("init", env=env)
    assert second.returncode == 0 and second.stdout == first.stdout


def test_missing_config_file_stops_with_its_name(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "missing.toml"), "init")
    assert result.returncode == 2 and "missing.toml" in result.stderr


def test_wrong_value_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    result = run("init", env={"SIYU_SCHEDULER__TIMEZONE": "Nowhere/Land",
                              "SIYU_CONFIG": str(ROOT / "config.example.toml")})
    assert result.returncode == 2 and "scheduler.timezone" in result.stderr


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    result = run("serve", "--port", str(free_port()),
                 env={"SIYU_DATABASE__URL": f"sqlite:///{tmp_path}/fresh.db",
                      "SIYU_CONFIG": str(ROOT / "config.example.toml")})
    assert result.returncode == 2 and "siyu init" in result.stderr


def wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read() if process.stdout else ''}")
        try:
            return requests.get(url, timeout=1).json()
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("server did not become healthy")


@pytest.mark.parametrize("server", ["siyu serve", "gunicorn"])
def test_production_servers_answer_healthz(tmp_path: Path, server: str) -> None:
    env = {**os.environ, "SIYU_DATABASE__URL": f"sqlite:///{tmp_path}/siyu.db",
           "SIYU_CONFIG": str(ROOT / "config.example.toml"),
           "SIYU_WECOM__CORP_ID": "wwTEST", "SIYU_WECOM__SECRET": "test-secret"}
    assert run("init", env=env).returncode == 0
    port = free_port()
    if server == "gunicorn":
        command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                   "bot.app:create_app()"]
    else:
        command = [*SIYU, "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        assert health == {"app": "ok", "database": "ok", "backend": "sqlite", "deliveries_unknown": 0}
    finally:
        process.terminate()
        process.wait(timeout=10)
