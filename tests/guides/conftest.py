"""A harness whose playbooks directory also holds the example playbooks (win-back, referral thanks)
and whose store manager guide_boss may transfer customers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from tests.support.harness import PLAYBOOKS_DIR, Harness


@pytest.fixture
def shop(database_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Harness]:
    directory = tmp_path / "playbooks"
    directory.mkdir()
    for source in [*PLAYBOOKS_DIR.glob("*.toml"), *(PLAYBOOKS_DIR / "examples").glob("*.toml")]:
        shutil.copy(source, directory / source.name)
    h = Harness(database_url, clock=clock, bot={"playbooks_dir": str(directory)},
                guides={"admins": ["guide_boss"]})
    h.sim.add_guide("guide_boss", "张店长")
    h.seed_staff()
    with h.db.session() as session:
        h.runtime.customers(session).staff("guide_boss", "张店长")
    yield h
    h.close()
