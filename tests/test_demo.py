"""`siyu demo` (what `make demo` runs) brings the bot up against the simulator on SQLite, and a
simulated customer who adds a guide gets the welcome message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_cli import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_demo_shows_the_welcome_message(tmp_path: Path) -> None:
    for shipped in ("playbooks", "rules"):  # what `make demo` finds in the checkout it runs from
        shutil.copytree(ROOT / shipped, tmp_path / shipped)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--once", "--port", str(free_port()), "--sim-port", str(free_port())],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "专属顾问李导购" in result.stdout
    assert "/api/customers" in result.stdout
    assert "/console/" in result.stdout and "admin / siyu-demo" in result.stdout
    assert (tmp_path / "var" / "siyu-demo.db").exists()
