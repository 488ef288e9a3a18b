"""What every `siyu` sub-command shares: reading the configuration it names, and logging.

Feature commands (bot/*/cli.py) import this module, never bot.cli.main, so the command
registry and the features it loads never import each other."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config


def config_from(args: argparse.Namespace) -> Config:
    """The configuration the command names; logging follows its [logging] section from here on."""
    from bot.config import load_config

    config = load_config(args.config)
    configure_cli_logging(args, config)
    return config


def configure_cli_logging(args: argparse.Namespace, config: Config | None = None) -> None:
    from bot.ops.logs import configure_logging

    # Two lines every two seconds for each job run, and alembic's plugin list at import: noise.
    # Failed jobs are still logged (at ERROR).
    quiet = () if args.verbose else ("apscheduler.executors", "alembic.runtime.plugins")
    configure_logging(config, level="DEBUG" if args.verbose else None, quiet=quiet)
