"""Sub-commands contributed by features (tagging, playbooks); each adds itself to the parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def registrars() -> list[Registrar]:
    found: list[Registrar] = []
    return found
