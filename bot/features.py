"""Features that plug into the runtime: each `install(runtime)` adds hooks, jobs and tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime import Runtime


def installers() -> list[Callable[["Runtime"], None]]:
    from bot.analytics.feature import install as install_rollups
    from bot.channels.feature import install as install_channels
    from bot.feedback.feature import install as install_feedback
    from bot.guides.feature import install as install_guides
    from bot.ops.heartbeat import install as install_heartbeat
    from bot.playbooks.feature import install as install_playbooks
    from bot.retention.feature import install as install_retention
    from bot.playbooks.mass import install as install_mass_results
    from bot.tagging.feature import install as install_tagging
    from bot.wechat.app_messages import install as install_app_messages

    # Tagging first: playbooks trigger on the tags and stages it records.
    installs: list[Callable[["Runtime"], None]] = [install_tagging]
    installs.append(install_playbooks)
    installs.append(install_feedback)
    installs.append(install_guides)
    installs.append(install_channels)
    installs.append(install_heartbeat)
    installs.append(install_app_messages)
    installs.append(install_rollups)  # before retention, which rolls days up before deleting them
    installs.append(install_retention)
    installs.append(install_mass_results)
    return installs
