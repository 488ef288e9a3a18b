"""The 话术 library (`[bot] scripts`, rules/scripts.toml): prepared texts guides send, ranked for a customer.

Operator data like the tag rules, validated the same way: every problem is listed with the file,
its line, the entry and the field; a broken file never replaces the last good library. Texts are
templates (the playbooks' sandbox: `customer.name`, `customer.guide`...). Suggestions are ranked by
the tags this message added, the customer's tags, and the message's jieba tokens against each
script's keywords.
"""

from __future__ import annotations

import logging
import re
import threading
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.playbooks.templates import (
    CustomerContext,
    RenderError,
    TemplateCompileError,
    compile_template,
    render,
    template_context,
)
from bot.tagging.dictionary import Dictionary
from bot.tagging.keywords import KEYWORD_FREQ
from bot.tagging.matches import normalise
from bot.tagging.segmenter import Segmenter

logger = logging.getLogger(__name__)

SUGGESTIONS = 3
# Weights: a tag this very message added says most about what to answer.
MESSAGE_TAG_WEIGHT, CUSTOMER_TAG_WEIGHT, KEYWORD_WEIGHT = 4.0, 2.0, 3.0
_ID = r"^[a-z0-9][a-z0-9_-]*$"


class ScriptsError(Exception):
    """The library cannot be used; `errors` lists every problem, one line each."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__("\n".join(errors))


class ScriptSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=_ID)
    category: str = Field(min_length=1)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    tags: list[str] = []
    keywords: list[str] = []

    @field_validator("text")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            compile_template(value)
        except TemplateCompileError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("keywords", "tags")
    @classmethod
    def _no_empty(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("empty entry")
        return [v.strip() for v in values]


@dataclass(frozen=True)
class Script:
    id: str
    category: str
    title: str
    text: str
    tags: tuple[str, ...]
    keywords: tuple[str, ...]

    def render(self, customer: CustomerContext, now: datetime) -> str:
        """The text for this customer; a template that fails shows its source rather than nothing."""
        try:
            return render(compile_template(self.text), **template_context(customer=customer, now=now))
        except RenderError as error:
            logger.warning("script %s failed to render: %s", self.id, error)
            return self.text.strip()


@dataclass(frozen=True)
class Ranked:
    script: Script
    score: float
    why: tuple[str, ...]


class Library:
    """A validated set of scripts with their tokenizer."""

    def __init__(self, scripts: list[Script], source: str = "<string>") -> None:
        self.scripts = scripts
        self.source = source
        self._segmenter: Segmenter | None = None
        self._lock = threading.Lock()
        self._keywords = [tuple(normalise(k) for k in s.keywords) for s in scripts]  # as each text is

    def tokens(self, text: str) -> set[str]:
        with self._lock:
            if self._segmenter is None:  # jieba's dictionary loads on first use, not at start-up
                words = sorted({normalise(k) for s in self.scripts for k in s.keywords})
                self._segmenter = Segmenter(Dictionary(words, KEYWORD_FREQ))
        return {t for t in self._segmenter.cut(normalise(text)) if t.strip()}

    def rank(self, text: str, customer_tags: set[str], message_tags: set[str] = frozenset(),  # type: ignore[assignment]
             limit: int = SUGGESTIONS) -> list[Ranked]:
        """The best scripts for a customer who wrote `text`; only scripts with some reason to fit."""
        tokens = self.tokens(text) if text else set()
        text = normalise(text)
        ranked = []
        for order, script in enumerate(self.scripts):
            why: list[str] = []
            score = 0.0
            for tag in script.tags:
                if tag in message_tags:
                    score += MESSAGE_TAG_WEIGHT
                    why.append(f"本条消息:{tag}")
                elif tag in customer_tags:
                    score += CUSTOMER_TAG_WEIGHT
                    why.append(f"标签:{tag}")
            for keyword, normalised in zip(script.keywords, self._keywords[order], strict=True):
                if _keyword_hit(normalised, tokens, text):
                    score += KEYWORD_WEIGHT
                    why.append(f"关键词:{keyword}")
            if score:
                ranked.append((order, Ranked(script, score, tuple(why))))
        ranked.sort(key=lambda r: (-r[1].score, r[0]))
        return [r for _, r in ranked[:limit]]

    def search(self, query: str, limit: int = 5) -> list[Script]:
        """Scripts whose title, category, keywords or text mention `query` (「话术 价格」)."""
        needle = normalise(query.strip())
        if not needle:
            return []
        def hits(script: Script) -> int:
            fields = (script.title, script.category, " ".join(script.keywords), " ".join(script.tags), script.text)
            return sum(3 - min(i, 2) for i, value in enumerate(fields) if needle in normalise(value))
        found = sorted((s for s in self.scripts if hits(s)), key=lambda s: -hits(s))
        return found[:limit]

    def get(self, script_id: str) -> Script | None:
        return next((s for s in self.scripts if s.id == script_id), None)


def _keyword_hit(keyword: str, tokens: set[str], text: str) -> bool:
    """A keyword matches whole tokens: 「约」 is not in 「大约」; a multi-token keyword as a phrase."""
    if keyword in tokens:
        return True
    return len(keyword) >= 3 and keyword in text


def parse_scripts(text: str, source: str = "<string>", known_tags: set[str] | None = None) -> Library:
    """Validate library text; `known_tags` (from the tag rules) catches scripts fitting tags no rule gives."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScriptsError(source, [f"{source}: invalid TOML: {exc}"]) from exc
    errors = [f"{source}: unknown section {key!r} (expected [[script]])" for key in data if key != "script"]
    raw = data.get("script", [])
    if not isinstance(raw, list):
        raise ScriptsError(source, [*errors, f"{source}: script: write each entry as [[script]]"])
    lines = _entry_lines(text)
    scripts: list[Script] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw, start=1):
        where = f"{source}:{lines[index - 1] if index <= len(lines) else '?'}: script[{index}]"
        if isinstance(entry, dict) and entry.get("id"):
            where += f" ({entry['id']})"
        try:
            spec = ScriptSpec.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "entry"
                errors.append(f"{where}.{field}: {err['msg'].removeprefix('Value error, ')}")
            continue
        if spec.id in seen:
            errors.append(f"{where}.id: already used by script[{seen[spec.id]}]")
        seen.setdefault(spec.id, index)
        if known_tags is not None:
            for tag in spec.tags:
                if tag not in known_tags:
                    errors.append(f"{where}.tags: no tag rule gives {tag!r} (see the tag rules, [bot] tag_rules)")
        scripts.append(Script(spec.id, spec.category, spec.title, spec.text, tuple(spec.tags), tuple(spec.keywords)))
    if errors:
        raise ScriptsError(source, errors)
    return Library(scripts, source)


def _entry_lines(text: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), start=1)
            if re.match(r"^\s*\[\[\s*script\s*\]\]", line)]


def load_scripts(path: str | Path, known_tags: set[str] | None = None) -> Library:
    path = Path(path)
    if not path.exists():
        return Library([], str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptsError(str(path), [f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    return parse_scripts(text, str(path), known_tags)


def rule_tags(rules_path: str | Path) -> set[str] | None:
    """Tags the rule pack at `rules_path` can give (None when it cannot be read: then tags are not checked)."""
    from bot.tagging.rules import RulesError, load_rules

    try:
        rules = load_rules(rules_path)
    except RulesError:
        return None
    return {r.tag for r in rules.keyword_rules} | {r.tag for r in rules.behaviour_rules}


class ScriptShelf:
    """The library file, reloaded when it changes; a broken file keeps the last good library (logged).
    Its scripts' tags are checked against the tag rules at `rules_path`."""

    def __init__(self, path: str | Path, rules_path: str | Path) -> None:
        self.path = Path(path)
        self.rules_path = Path(rules_path)
        self._library = Library([], str(self.path))
        self._mtime: float | None = None
        self._lock = threading.Lock()

    def library(self) -> Library:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return self._library
        with self._lock:
            if mtime != self._mtime:
                self._mtime = mtime
                try:
                    self._library = load_scripts(self.path, rule_tags(self.rules_path))
                except ScriptsError as error:
                    logger.error("话术 library %s not loaded; the last good one stays in use:\n%s", self.path, error)
            return self._library


def as_json(script: Script, text: str | None = None) -> dict[str, Any]:
    return {"id": script.id, "category": script.category, "title": script.title, "text": text or script.text,
            "tags": list(script.tags)}
