"""Sub-commands contributed by features (tagging, playbooks); each adds itself to the parser."""

from __future__ import annotations

REGISTRARS: list = []  # type: ignore[type-arg]
