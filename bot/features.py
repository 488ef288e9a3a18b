"""Features that plug into the runtime: each `install(runtime)` adds hooks, jobs and tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime import Runtime


def installers() -> list[Callable[["Runtime"], None]]:
    installs: list[Callable[["Runtime"], None]] = []
    return installs
