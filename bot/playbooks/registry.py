"""Playbook versions in the database: import files, export them back, read the current ones.

A changed file becomes a new version; an unchanged file changes nothing. A file that fails
validation never replaces the last good version (its error is kept on the playbook row and
logged) and never stops the other files from importing. Enrolments keep the version they
started with, so editing a playbook never changes a journey already under way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import PlaybookRecord, PlaybookVersion
from bot.playbooks.loader import load_playbook_paths, parse_playbook
from bot.playbooks.schema import Playbook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActivePlaybook:
    """A playbook's current version, parsed: what new enrolments start with."""

    playbook: Playbook
    version_id: int
    version: int


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # file -> message

    @property
    def ok(self) -> bool:
        return not self.errors


_ACTIVE_KEY = "siyu.active_playbooks"
# (database, current (version id, content hash)s) -> those versions, parsed.
_ACTIVE_IN_PROCESS: dict[tuple[str, tuple[tuple[int, str], ...]], list[ActivePlaybook]] = {}


@lru_cache(maxsize=256)
def parsed_version(content: str) -> Playbook:
    """Parse a stored version's text (cached: versions never change once written)."""
    return parse_playbook(content, "<stored version>", sample=False)


def import_directory(session: Session, directory: str | Path) -> ImportReport:
    """Import every playbook file of `directory` into the caller's transaction."""
    return import_paths(session, [directory])


def import_paths(session: Session, paths: Sequence[str | Path]) -> ImportReport:
    """Import the playbook files and folders `paths` into the caller's transaction."""
    report = ImportReport()
    result = load_playbook_paths(paths)
    for path, error in result.errors.items():
        report.errors[str(path)] = str(error)
        _remember_error(session, path, str(error))
    for playbook_id, playbook in result.playbooks.items():
        source = result.sources[playbook_id]
        outcome = import_version(session, playbook, source.text, source.content_hash, str(source.path))
        getattr(report, outcome).append(playbook_id)
    return report


def import_version(session: Session, playbook: Playbook, text: str, content_hash: str,
                   source_path: str = "") -> str:
    """Store `text` as the playbook's next version unless it is the current one already.

    Returns "created", "updated" or "unchanged".
    """
    record = session.get(PlaybookRecord, playbook.id)
    outcome = "updated"
    if record is None:
        record = PlaybookRecord(id=playbook.id, name=playbook.name, current_version=0)
        session.add(record)
        outcome = "created"
    record.source_path, record.last_error = source_path or record.source_path, ""
    _forget_active(session)
    record.name, record.enabled = playbook.name, playbook.enabled
    current = current_version_row(session, playbook.id) if outcome == "updated" else None
    if current is not None and current.content_hash == content_hash:
        session.flush()  # `enabled` may have changed: `active_playbooks` reads without a flush
        return "unchanged"
    latest = session.scalar(select(func.max(PlaybookVersion.version))
                            .where(PlaybookVersion.playbook_id == playbook.id)) or 0
    session.flush()
    session.add(PlaybookVersion(playbook_id=playbook.id, version=latest + 1, content=text,
                                content_hash=content_hash))
    record.current_version = latest + 1
    session.flush()
    logger.info("playbook %s: version %s stored", playbook.id, latest + 1)
    return outcome


def _remember_error(session: Session, path: Path, message: str) -> None:
    """Keep a broken file's error on the playbook it would have replaced, if it names one."""
    for record in session.scalars(select(PlaybookRecord).where(PlaybookRecord.source_path == str(path))):
        record.last_error = message[:4000]


def current_version_row(session: Session, playbook_id: str) -> PlaybookVersion | None:
    return session.scalar(
        select(PlaybookVersion).join(PlaybookRecord, PlaybookRecord.id == PlaybookVersion.playbook_id)
        .where(PlaybookVersion.playbook_id == playbook_id,
               PlaybookVersion.version == PlaybookRecord.current_version)
    )


def active_playbooks(session: Session, include_disabled: bool = False) -> list[ActivePlaybook]:
    """The current version of every (enabled) playbook, parsed, in id order.

    Read once per transaction: one inbound message fires several hooks (the message, then each
    tag or stage event it causes), and each asks for the playbooks.
    """
    key = (_ACTIVE_KEY, include_disabled)
    cached = session.info.get(key)
    transaction = session.get_transaction()
    if cached is not None and cached[0] is transaction:
        return cached[1]
    playbooks = _load_active(session, include_disabled)
    session.info[key] = (transaction, playbooks)
    return playbooks


def _forget_active(session: Session) -> None:
    for include_disabled in (False, True):
        session.info.pop((_ACTIVE_KEY, include_disabled), None)


def _load_active(session: Session, include_disabled: bool) -> list[ActivePlaybook]:
    """Parsed once per process until a playbook changes: the current versions' ids and hashes,
    one small query, say whether the playbooks parsed last time are still the ones in force."""
    query = (select(PlaybookVersion.id, PlaybookVersion.content_hash)
             .join(PlaybookRecord, PlaybookRecord.id == PlaybookVersion.playbook_id)
             .where(PlaybookVersion.version == PlaybookRecord.current_version)
             .order_by(PlaybookRecord.id))
    if not include_disabled:
        query = query.where(PlaybookRecord.enabled.is_(True))
    with session.no_autoflush:  # playbook changes are flushed where stored: no flush of a batch's rows for this
        current = tuple((version_id, content_hash) for version_id, content_hash in session.execute(query))
    version_ids = [version_id for version_id, _ in current]
    key = (str(session.get_bind().engine.url), current)
    cached = _ACTIVE_IN_PROCESS.get(key)
    if cached is None:
        rows = {row.id: row for row in session.scalars(select(PlaybookVersion)
                                                       .where(PlaybookVersion.id.in_(version_ids)))}
        cached = [ActivePlaybook(parsed_version(rows[i].content), i, rows[i].version) for i in version_ids]
        if len(_ACTIVE_IN_PROCESS) > 32:
            _ACTIVE_IN_PROCESS.clear()
        _ACTIVE_IN_PROCESS[key] = cached
    return cached


def version_playbook(session: Session, version_id: int) -> Playbook:
    """The playbook as it was in one stored version (what an enrolment follows)."""
    row = session.get(PlaybookVersion, version_id)
    if row is None:
        raise LookupError(f"no playbook version {version_id}")
    return parsed_version(row.content)


class VersionCache:
    """Parsed versions by id for one worker: versions never change once written, so never stale."""

    def __init__(self) -> None:
        self._playbooks: dict[int, Playbook] = {}

    def get(self, session: Session, version_id: int) -> Playbook:
        playbook = self._playbooks.get(version_id)
        if playbook is None:
            playbook = self._playbooks[version_id] = version_playbook(session, version_id)
        return playbook


def export_directory(session: Session, directory: str | Path) -> list[Path]:
    """Write each playbook's current version to `<directory>/<id>.toml` (or its source file name)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    records = {record.id: record for record in session.scalars(select(PlaybookRecord))}
    for playbook_id, record in sorted(records.items()):
        row = current_version_row(session, playbook_id)
        if row is None:
            continue
        name = Path(record.source_path).name if record.source_path else f"{playbook_id}.toml"
        path = directory / name
        path.write_text(row.content, encoding="utf-8")
        written.append(path)
    return written
