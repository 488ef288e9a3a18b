"""Editing the 标签规则 (tag rules) and 话术库 (scripts) files from the console: validate, then swap.

The same validators the bot loads the files with (`parse_rules`, `parse_scripts`) check the text;
every problem comes back with its line and key. A broken edit is refused and the file, and so the
running rules, stay as they were. A good edit is written atomically over the file (the path comes
from the config: `[bot] tag_rules`, `[bot] scripts`), kept as a numbered version, and the running
tagger reloads it at once; other processes pick the file up within seconds, without a restart.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Config
from bot.console.playbook_editor import write_atomically
from bot.guides.scripts import ScriptsError, parse_scripts, rule_tags
from bot.models import RuleFileVersion
from bot.tagging.rules import RulesError, RuleSet, parse_rules
from bot.tagging.service import OPT_OUT_TAG

logger = logging.getLogger(__name__)

SOURCE = "<编辑器>"
KINDS = {"tags": "标签规则", "scripts": "话术库"}
_TOML_LINE = re.compile(r"at line (\d+)")
_WHERE = re.compile(r"^(?:(?P<line>\d+): )?(?P<key>(?P<table>keyword|behaviour|script)\[(?P<index>\d+)\]"
                    r"(?: \([^)]*\))?(?P<field>\.[\w.\[\]]+)?|[\w.]+): (?P<message>.*)$", re.S)


@dataclass(frozen=True)
class Problem:
    line: int | None
    key: str
    message: str


class EditRefused(Exception):
    """The text does not validate; nothing was written. `problems` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def check_tag_rules(text: str, base: Path | None = None) -> tuple[RuleSet | None, list[Problem]]:
    """The rules the text gives, or its problems; a pack without the opt-out rule is refused. `base`:
    the folder of the rules file, which its `[model] file` is relative to."""
    opt_out_gone = Problem(None, "keyword", f"不能删除退订规则（tag = \"{OPT_OUT_TAG}\"）：客户说「退订」「TD」后"
                                            "必须停止收到消息。请把这条规则放回去再保存。")
    try:
        rules = parse_rules(text, source=SOURCE, base=base)
    except RulesError as error:
        problems = [locate(text, e) for e in error.errors]
        # Other rules yield to the opt-out rule, so without it they fail too: say the cause first.
        return None, ([opt_out_gone] if not _names_opt_out_rule(text) else []) + problems
    if not any(rule.tag == OPT_OUT_TAG for rule in rules.keyword_rules):
        return None, [opt_out_gone]
    return rules, []


def _names_opt_out_rule(text: str) -> bool:
    """Whether the text has a [[keyword]] table for the opt-out tag (True when it is not TOML:
    then the syntax error is the one to read)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    keywords = data.get("keyword")
    return not isinstance(keywords, list) or any(
        isinstance(rule, dict) and rule.get("tag") == OPT_OUT_TAG for rule in keywords)


def check_scripts(text: str, known_tags: set[str] | None) -> list[Problem]:
    try:
        parse_scripts(text, SOURCE, known_tags)
    except ScriptsError as error:
        return [locate(text, e) for e in error.errors]
    return []


def locate(text: str, error: str) -> Problem:
    """A validator's message as (line, key, message): `keyword[3] (意向:预约).keywords: …` → its line."""
    rest = error.removeprefix(SOURCE).lstrip(":").strip()
    if rest.startswith("invalid TOML"):
        found = _TOML_LINE.search(rest)
        return Problem(int(found[1]) if found else None, "", rest)
    match = _WHERE.match(rest)
    if match is None:
        return Problem(None, "", rest)
    key, message = match["key"], match["message"]
    if match["table"]:
        header = _nth_header(text, match["table"], int(match["index"]) + (0 if match["table"] == "script" else 1))
        line = int(match["line"]) if match["line"] else header
        field = (match["field"] or ".").lstrip(".").split(".")[0].split("[")[0]
        return Problem(_field_line(text, line, field) if line and field else line, key, message)
    name = key.split(".")[-1]
    return Problem(_field_line(text, 1, name, anywhere=True), key, message)


def _nth_header(text: str, table: str, number: int) -> int | None:
    seen = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^\s*\[\[\s*{table}\s*\]\]", line):
            seen += 1
            if seen == number:
                return line_number
    return None


def _field_line(text: str, start: int, name: str, anywhere: bool = False) -> int | None:
    """The line of `name = …` (or `[name]`) from `start` to the next table (or the end, `anywhere`)."""
    lines = text.splitlines()
    pattern = re.compile(rf'^\s*(?:"?{re.escape(name)}"?\s*=|\[+\s*{re.escape(name)}\s*\]+)')
    for line_number in range(start, len(lines) + 1):
        line = lines[line_number - 1]
        if pattern.match(line):
            return line_number
        if not anywhere and line_number > start and re.match(r"^\s*\[", line):
            break
    return start if not anywhere else None


class RuleFiles:
    """The two files, their versions, and saving one."""

    def __init__(self, session: Session, clock: Clock, config: Config) -> None:
        self.session = session
        self.clock = clock
        self.config = config

    def path(self, kind: str) -> Path:
        return self.config.bot.tag_rules_path if kind == "tags" else self.config.bot.scripts_path

    def text(self, kind: str) -> str:
        try:
            return self.path(kind).read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def check(self, kind: str, text: str) -> list[Problem]:
        if kind == "tags":
            return check_tag_rules(text, self.path(kind).parent)[1]
        return check_scripts(text, rule_tags(self.config.bot.tag_rules_path))

    def versions(self, kind: str) -> list[RuleFileVersion]:
        return list(self.session.scalars(select(RuleFileVersion).where(RuleFileVersion.kind == kind)
                                         .order_by(RuleFileVersion.version.desc())))

    def version(self, kind: str, number: int) -> RuleFileVersion | None:
        return self.session.scalar(select(RuleFileVersion).where(RuleFileVersion.kind == kind,
                                                                 RuleFileVersion.version == number))

    def save(self, kind: str, text: str, by: str) -> int | None:
        """Write `text` over the file and keep it as the next version (None: same as the file)."""
        problems = self.check(kind, text)
        if problems:
            raise EditRefused(problems)
        current = self.text(kind)
        if text == current:
            return None
        latest = self.session.scalar(select(func.max(RuleFileVersion.version)).where(RuleFileVersion.kind == kind))
        if latest is None and current:  # the file as shipped or last edited by hand becomes version 1
            latest = self._keep(kind, 1, current, "（原文件）")
        number = self._keep(kind, (latest or 0) + 1, text, by)
        try:
            write_atomically(self.path(kind), text)
        except OSError as error:
            raise EditRefused([Problem(None, "", f"无法写入 {self.path(kind)}：{error.strerror or error}")]) from None
        logger.info("%s saved as version %s by %s (%s)", kind, number, by, self.path(kind))
        return number

    def _keep(self, kind: str, number: int, text: str, by: str) -> int:
        self.session.add(RuleFileVersion(kind=kind, version=number, content=text, created_by=by[:64],
                                         created_at=self.clock.now()))
        self.session.flush()
        return number
