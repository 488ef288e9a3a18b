"""Playbooks (运营剧本): operator-edited customer journeys, without any database.

- `schema`: pydantic models of a playbook file (trigger, audience, exit, steps, caps).
- `loader`: TOML files → validated `Playbook`s; errors name file, line and key path.
- `timing`: durations, step due times, quiet hours and frequency caps (pure time math).
- `templates`: the Jinja2 sandbox for message texts and conditions.

The outbox, dispatcher and CLI build on these; nothing here touches a clock or a session.
"""

from bot.playbooks.loader import (LoadResult, PlaybookError, load_playbook_dir, load_playbook_file, parse_playbook,
    playbook_content_hash)
from bot.playbooks.schema import Playbook, Step
from bot.playbooks.timing import QuietHours, parse_duration, step_due_time

__all__ = [
    "LoadResult",
    "Playbook",
    "PlaybookError",
    "QuietHours",
    "Step",
    "load_playbook_dir",
    "load_playbook_file",
    "parse_duration",
    "parse_playbook",
    "playbook_content_hash",
    "step_due_time",
]
