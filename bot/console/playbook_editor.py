"""Editing playbooks from the console: validate with the CLI's validator, then swap in a new version.

A broken edit never replaces the running version: it is returned with its problems. A good one
becomes the next version in the database and is written to the playbook's file, so the start-up
import (which reads the files) finds the same text and keeps it.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Delivery, Enrolment, PlaybookRecord, PlaybookVersion
from bot.playbooks.loader import PlaybookError, Problem, parse_playbook, playbook_content_hash
from bot.playbooks.registry import current_version_row, import_version
from bot.playbooks.schema import Playbook

logger = logging.getLogger(__name__)

_ENABLED_LINE = re.compile(r"^enabled\s*=\s*(true|false)\s*(#.*)?$", re.M)
_FIRST_TABLE = re.compile(r"^\s*\[", re.M)


class EditRejected(Exception):
    """The edit did not validate; `problems` says where and why. The running version is unchanged."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Validation:
    ok: bool
    problems: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None


@dataclass(frozen=True)
class PlaybookRow:
    record: PlaybookRecord
    active: int
    scheduled: int
    sent: int
    converted: int


def validate(text: str, expected_id: str | None = None) -> Validation:
    """The CLI's validator on editor text, with a summary of the common parts for the form view."""
    try:
        playbook = parse_playbook(text, "<编辑器>")
    except PlaybookError as error:
        return Validation(False, [{"line": p.line, "path": p.path, "message": p.message} for p in error.problems])
    if expected_id is not None and playbook.id != expected_id:
        return Validation(False, [{"line": 1, "path": "id",
                                   "message": f"id 不能在编辑器里修改（应为 {expected_id!r}）"}])
    return Validation(True, [], summary(playbook))


def summary(playbook: Playbook) -> dict[str, Any]:
    """Trigger, audience and steps (timing, channels, text) as the form view shows them."""
    trigger = playbook.trigger
    return {
        "id": playbook.id, "name": playbook.name, "enabled": playbook.enabled,
        "trigger": {"kind": trigger.kind, "detail": _trigger_detail(playbook)},
        "audience": {"when": playbook.audience.when or "", "reentry": playbook.audience.reentry},
        "steps": [{"id": s.id, "after": _duration(s.after), "before": _duration(s.before), "of": s.of or "",
                   "at": s.at.strftime("%H:%M") if s.at else "", "channels": list(s.channels),
                   "text": s.text or "", "variants": [v.name for v in s.variants], "holdout": s.holdout}
                  for s in playbook.steps],
    }


def _trigger_detail(playbook: Playbook) -> str:
    data = playbook.trigger.model_dump(exclude_none=True, exclude_defaults=True)
    return ", ".join(f"{k}={v}" for k, v in data.items())


def _duration(value: Any) -> str:
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class PlaybookEditor:
    def __init__(self, session: Session, playbooks_dir: str) -> None:
        self.session = session
        self.playbooks_dir = Path(playbooks_dir)

    def listing(self) -> list[PlaybookRow]:
        # One pass over each table's (playbook_id, status, ...) index, never the rows themselves.
        enrolments: Counter[tuple[str, str]] = Counter()
        for playbook_id, status, n in self.session.execute(
                select(Enrolment.playbook_id, Enrolment.status, func.count())
                .group_by(Enrolment.playbook_id, Enrolment.status)):
            enrolments[(playbook_id, status)] += n
        deliveries: Counter[tuple[str, str]] = Counter()
        for playbook_id, status, n in self.session.execute(
                select(Delivery.playbook_id, Delivery.status, func.count())
                .group_by(Delivery.playbook_id, Delivery.status)):
            deliveries[(playbook_id, status)] += n
        return [PlaybookRow(r, enrolments[(r.id, "active")], deliveries[(r.id, "scheduled")],
                            deliveries[(r.id, "sent")], enrolments[(r.id, "converted")])
                for r in self.session.scalars(select(PlaybookRecord).order_by(PlaybookRecord.id))]

    def record(self, playbook_id: str) -> PlaybookRecord | None:
        return self.session.get(PlaybookRecord, playbook_id)

    def current_text(self, playbook_id: str) -> str:
        row = current_version_row(self.session, playbook_id)
        return row.content if row is not None else ""

    def versions(self, playbook_id: str) -> list[PlaybookVersion]:
        return list(self.session.scalars(select(PlaybookVersion).where(PlaybookVersion.playbook_id == playbook_id)
                                         .order_by(PlaybookVersion.version.desc())))

    def version(self, playbook_id: str, number: int) -> PlaybookVersion | None:
        return self.session.scalar(select(PlaybookVersion).where(PlaybookVersion.playbook_id == playbook_id,
                                                                 PlaybookVersion.version == number))

    def save(self, playbook_id: str, text: str) -> int | None:
        """Store `text` as the next version (None if identical to the current one); EditRejected if invalid."""
        try:
            playbook = parse_playbook(text, "<编辑器>")
        except PlaybookError as error:
            raise EditRejected(error.problems) from None
        if playbook.id != playbook_id:
            raise EditRejected([Problem("id", f"id 不能在编辑器里修改（应为 {playbook_id!r}）", 1)])
        record = self.record(playbook_id)
        path = Path(record.source_path) if record is not None and record.source_path else \
            self.playbooks_dir / f"{playbook_id}.toml"
        outcome = import_version(self.session, playbook, text, playbook_content_hash(text), str(path))
        if outcome == "unchanged":
            return None
        try:
            write_atomically(path, text)
        except OSError as error:  # a read-only deployment: the database version still holds
            logger.warning("playbook saved as a new version but %s could not be written: %s", path, error)
        record = self.record(playbook_id)
        assert record is not None
        return record.current_version

    def rollback(self, playbook_id: str, number: int) -> int | None:
        """Make an old version's text current again, as a new version (history is never rewritten)."""
        old = self.version(playbook_id, number)
        if old is None:
            raise LookupError(f"no version {number} of {playbook_id}")
        return self.save(playbook_id, old.content)

    def set_enabled(self, playbook_id: str, enabled: bool) -> int | None:
        """Switch the playbook's `enabled` key in its text and save that as a new version."""
        return self.save(playbook_id, with_enabled(self.current_text(playbook_id), enabled))


def with_enabled(text: str, enabled: bool) -> str:
    """The playbook text with its top-level `enabled` set (added before the first table if absent)."""
    value = "true" if enabled else "false"
    head_end = (_FIRST_TABLE.search(text) or re.search(r"\Z", text)).start()  # type: ignore[union-attr]
    head, rest = text[:head_end], text[head_end:]
    if _ENABLED_LINE.search(head):
        head = _ENABLED_LINE.sub(f"enabled = {value}", head, count=1)
    else:
        head = head.rstrip("\n") + f"\nenabled = {value}\n\n"
    return head + rest


def diff_lines(old: str, new: str, old_label: str, new_label: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: kind is add, del, hunk or same."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, lineterm=""):
        kind = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else \
            "del" if line.startswith("-") else "same"
        lines.append((kind, line))
    return lines


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old text or the new, never half of one (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
