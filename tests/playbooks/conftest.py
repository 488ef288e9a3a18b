"""Fixtures for playbook tests: `journey(texts=..., shipped=...)` builds a PlaybookHarness."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from tests.playbooks.support import START, PlaybookHarness, playbook_dir


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def journey(database_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[Callable[..., PlaybookHarness]]:
    made: list[PlaybookHarness] = []

    def make(texts: Mapping[str, str] | None = None, shipped: tuple[str, ...] = (),
             **sections: Mapping[str, Any]) -> PlaybookHarness:
        directory = playbook_dir(tmp_path, texts, shipped)
        harness = PlaybookHarness(database_url, directory, clock, **sections)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()
