"""Plugging playbooks into a runtime: hooks, the dispatcher and scan jobs, and the start-up import."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.playbooks.channels import build_channels
from bot.playbooks.engine import PlaybookEngine
from bot.playbooks.outbox import Outbox
from bot.playbooks.registry import ImportReport, import_directory
from bot.playbooks.scanners import SCAN_INTERVAL_SECONDS, Scanners

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Playbooks:
    """What the feature adds to a runtime, as `runtime.features["playbooks"]`."""

    engine: PlaybookEngine
    outbox: Outbox
    scanners: Scanners


def install(runtime: "Runtime") -> None:
    from bot.jobs.spec import JobSpec

    engine = PlaybookEngine(runtime.config, runtime.clock, runtime.hooks)
    engine.install(runtime.hooks)
    outbox = outbox_for(runtime)
    scanners = Scanners(runtime.db, runtime.config, runtime.clock, engine, worker_id=outbox.worker_id)
    runtime.features["playbooks"] = Playbooks(engine, outbox, scanners)
    runtime.jobs.extend([
        JobSpec("playbooks_dispatch", outbox.dispatch_due, "interval",
                {"seconds": runtime.config.scheduler.dispatch_interval_seconds}),
        JobSpec("playbooks_scan", scanners.run, "interval", {"seconds": SCAN_INTERVAL_SECONDS}),
    ])
    sync_playbooks(runtime)


def outbox_for(runtime: "Runtime", **options: object) -> Outbox:
    """A dispatcher sending through the runtime's WeChat clients."""
    channels = build_channels(runtime.outbound, runtime.config, runtime.db)
    return Outbox(runtime.db, runtime.config, runtime.clock, channels, runtime.hooks, **options)  # type: ignore[arg-type]


def sync_playbooks(runtime: "Runtime") -> ImportReport | None:
    """Import the playbook directory; a broken file is logged and the last good version stays."""
    directory = runtime.config.bot.playbooks_dir
    try:
        with runtime.db.session() as session:
            report = import_directory(session, directory)
    except SQLAlchemyError as error:  # no schema yet (before `siyu init`), or a concurrent import
        logger.warning("playbooks not imported from %s: %s", directory, error.__class__.__name__)
        return None
    for path, message in report.errors.items():
        logger.error("playbook file %s not imported; the last good version stays in use:\n%s", path, message)
    if report.created or report.updated:
        logger.info("playbooks imported: %s new, %s changed, %s unchanged",
                    len(report.created), len(report.updated), len(report.unchanged))
    return report
