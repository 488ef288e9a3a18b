"""Sub-commands contributed by features (tagging, playbooks); each adds itself to the parser."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# Command -> the module whose `register` adds it. Running one command imports only its module:
# `siyu tag --stdin` in a shell pipeline should not pay for the console's and playbooks' imports.
COMMANDS: dict[str, str] = {
    "tag": "bot.tagging.cli",
    "playbook": "bot.playbooks.cli",
    "user": "bot.console.cli",
    "script": "bot.guides.cli",
    "guide": "bot.guides.cli",
    "import": "bot.imports.cli",
}


def registrars(command: str | None = None) -> list[Registrar]:
    """The registrar of `command`, or of every feature command when it is none of them (help)."""
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    return [importlib.import_module(module).register for module in modules]
