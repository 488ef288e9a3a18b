"""The tag rules in use: reloaded when `tags.toml` changes; a broken file never replaces them.

The last good rules are also kept in the database, so a bot restarted with a broken file still
tags with the rules it had.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.db import Database
from bot.models import SharedValue
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RulesError, RuleSet, parse_rules

logger = logging.getLogger(__name__)

LAST_GOOD_KEY = "tag_rules:last_good"
CHECK_EVERY_SECONDS = 2.0

# Building a tagger loads jieba's dictionary (over a second); taggers are immutable, so every
# runtime in the process shares one per rules version.
_taggers: dict[str, KeywordTagger] = {}
_taggers_lock = threading.Lock()


def tagger_for(rules: RuleSet) -> KeywordTagger:
    with _taggers_lock:
        tagger = _taggers.get(rules.version)
        if tagger is None:
            tagger = _taggers[rules.version] = KeywordTagger(rules)
        return tagger


class RulesStore:
    def __init__(self, path: Path, db: Database | None = None) -> None:
        self.path = path
        self.db = db
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._checked = 0.0
        self.error: str | None = None
        self.rules, self.tagger = self._initial()

    def current(self) -> tuple[RuleSet, KeywordTagger]:
        """The rules in force, after reloading the file if it changed since the last look."""
        now = time.monotonic()
        if now - self._checked >= CHECK_EVERY_SECONDS:
            with self._lock:
                self._checked = now
                self._reload_if_changed()
        return self.rules, self.tagger

    def reload_now(self) -> str | None:
        """Read the file again at once (after the console saved it); returns the error keeping the old rules."""
        with self._lock:
            self._checked = time.monotonic()
            self._reload_if_changed()
            return self.error

    def _initial(self) -> tuple[RuleSet, KeywordTagger]:
        try:
            rules = self._load_file()
        except (RulesError, OSError) as exc:
            self.error = str(exc)
            logger.error("tag rules not loaded: %s", exc)
            rules = self._last_good_from_db() or parse_rules("", source="<no rules>")
        return rules, tagger_for(rules)

    def _reload_if_changed(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return
        if mtime == self._mtime:
            return
        try:
            # Reloads happen inside a message's transaction; on SQLite that holds the write
            # lock, so the copy is stored from a thread that waits for it.
            rules = self._load_file(remember=self._remember_later)
        except (RulesError, OSError) as exc:
            self._mtime = mtime
            self.error = str(exc)
            logger.error("tag rules not reloaded, keeping the last good ones: %s", exc)
            return
        self.rules, self.tagger, self.error = rules, tagger_for(rules), None
        logger.info("tag rules reloaded from %s", self.path)

    def _load_file(self, remember: Callable[[str], None] | None = None) -> RuleSet:
        self._mtime = self.path.stat().st_mtime
        text = self.path.read_text(encoding="utf-8")
        rules = parse_rules(text, source=str(self.path), base=self.path.parent)
        (remember or self._remember)(text)
        return rules

    def _remember_later(self, text: str) -> None:
        threading.Thread(target=self._remember, args=(text,), name="siyu-rules-copy", daemon=True).start()

    def _remember(self, text: str) -> None:
        if self.db is None:
            return
        try:
            with self.db.session() as session:
                row = session.get(SharedValue, LAST_GOOD_KEY)
                if row is None:
                    session.add(SharedValue(key=LAST_GOOD_KEY, value=text))
                elif row.value != text:
                    row.value = text
        except SQLAlchemyError as exc:  # no schema yet (before `siyu init`): nothing to keep it in
            logger.warning("last good tag rules not stored: %s", exc.__class__.__name__)

    def _last_good_from_db(self) -> RuleSet | None:
        if self.db is None:
            return None
        with self.db.session() as session:
            row = session.get(SharedValue, LAST_GOOD_KEY)
            text = row.value if row else None
        if not text:
            return None
        logger.warning("using the last good tag rules stored in the database")
        return parse_rules(text, source=f"{self.path} (last good copy)", base=self.path.parent)
