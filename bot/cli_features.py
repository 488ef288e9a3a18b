"""Sub-commands contributed by features (tagging, playbooks); each adds itself to the parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def registrars() -> list[Registrar]:
    from bot.console.cli import register as register_console
    from bot.guides.cli import register as register_guides
    from bot.imports.cli import register as register_imports
    from bot.playbooks.cli import register as register_playbooks
    from bot.tagging.cli import register as register_tagging

    found: list[Registrar] = [register_tagging]
    found.append(register_playbooks)
    found.append(register_console)
    found.append(register_guides)
    found.append(register_imports)
    return found
