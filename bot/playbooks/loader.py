"""Read playbook TOML into validated models, reporting every problem with file, line and key.

Like Home Assistant's automation config: one broken playbook is reported with its errors and
never stops the others from loading. `parse_playbook` is the single validator behind the file
loader, the CLI and the web editor. Key paths use 0-based indices, as in `steps[1].after`
(the second [[steps]] table); line numbers are 1-based, as editors show them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.playbooks.schema import SAMPLE_RENDER, Playbook

logger = logging.getLogger(__name__)

# Tag rules and the 话术 library live apart ([bot] tag_rules, scripts: rules/); an older install may
# still keep them in the playbooks folder, where they are not playbooks.
SKIPPED_FILES = frozenset({"tags.toml", "scripts.toml"})


@dataclass(frozen=True)
class Problem:
    """One validation problem: the key path (`steps[1].after`), its line if known, a message."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # or "warning": printed by check, never stops an import


class PlaybookError(Exception):
    """Every problem found in one playbook source; str() gives one `file:line: key: message`
    line per problem."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(self.format(problem) for problem in self.problems))

    def format(self, problem: Problem) -> str:
        where = self.source
        if problem.line is not None:
            where += f":{problem.line}"
            if problem.column is not None:
                where += f":{problem.column}"
        message = f"warning: {problem.message}" if problem.severity == "warning" else problem.message
        return f"{where}: {problem.path}: {message}" if problem.path else f"{where}: {message}"


@dataclass(frozen=True)
class SourceFile:
    """Where a loaded playbook came from, with the exact text that was validated."""

    path: Path
    text: str
    content_hash: str


@dataclass
class LoadResult:
    """The playbooks that loaded (by id) and the errors of the files that did not (by path)."""

    playbooks: dict[str, Playbook] = field(default_factory=dict)
    errors: dict[Path, PlaybookError] = field(default_factory=dict)
    sources: dict[str, SourceFile] = field(default_factory=dict)


def playbook_content_hash(text: str) -> str:
    """A stable hash of a playbook's text for versioning; line endings do not count."""
    normalized = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


# --- key path → line --------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_MULTILINE_OPEN = re.compile(r'=\s*("""|\'\'\')')


def _split_key(dotted: str) -> list[str]:
    pattern = r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)'
    return [next(group for group in match.groups() if group is not None)
            for match in re.finditer(pattern, dotted)]


def key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each key path and table header in TOML text to its 1-based line number.

    A small line scanner rather than a TOML parser: it follows [table] and [[array]] headers
    and top-level `key =` lines, and skips multi-line strings so message text never looks like
    a key. Keys inside inline tables resolve to their parent key's line.
    """
    lines: dict[tuple[str | int, ...], int] = {}
    array_lengths: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            parts = _split_key(header.group(2))
            concrete: list[str | int] = []
            for part in parts[:-1]:
                concrete.append(part)
                if tuple(concrete) in array_lengths:
                    concrete.append(array_lengths[tuple(concrete)] - 1)
            concrete.append(parts[-1])
            if header.group(1) == "[[":
                index = array_lengths.get(tuple(concrete), 0)
                array_lengths[tuple(concrete)] = index + 1
                lines.setdefault(tuple(concrete), number)
                concrete.append(index)
            table = tuple(concrete)
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(table + tuple(_split_key(key.group(1))), number)
            opener = _MULTILINE_OPEN.search(line)
            if opener and line.count(opener.group(1)) == 1:
                in_string = opener.group(1)
    return lines


def line_for(loc: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int | None:
    for end in range(len(loc), 0, -1):  # fall back to the nearest enclosing key or table
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


# --- pydantic errors → problems ---------------------------------------------------------------

_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "missing required key",
}


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Keep the loc parts that exist in the TOML data; drop pydantic's union/validator tags."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and len(path) == len(loc) - 1:
            path.append(part)  # an unknown or missing key: name it even though it isn't there
        elif not isinstance(node, (dict, list)):
            break
    return tuple(path)


def format_key_path(path: Sequence[str | int]) -> str:
    """("steps", 1, "after") → "steps[1].after"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# Patterns in plain words (ids and attribute names).
_PATTERNS = {
    r"^[a-z0-9][a-z0-9_-]*$": "use lower-case letters, digits, - and _ (like day1-care); no spaces or capitals",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "use letters, digits and _ (like class_start), starting with a letter",
}


def _message(error: Any) -> str:
    if error["type"] in _MESSAGES:
        return _MESSAGES[error["type"]]
    if error["type"] == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        return f"{error['input']!r} is not a valid name: {_PATTERNS.get(pattern, 'see docs/playbooks.md')}"
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return error["msg"]


def _problems(error: ValidationError, data: dict[str, Any], text: str) -> list[Problem]:
    lines = key_lines(text)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for item in error.errors():
        path = _data_path(tuple(item["loc"]), data)
        subpath = (item.get("ctx") or {}).get("subpath")
        if subpath:
            path += tuple(subpath)
        message = _message(item)
        if (format_key_path(path), message) in seen:
            continue  # union members can repeat one complaint
        seen.add((format_key_path(path), message))
        problems.append(Problem(format_key_path(path), message, line_for(path, lines)))
    # File order reads best; problems without a line go last.
    return sorted(problems, key=lambda problem: problem.line or len(lines) + 10**6)


# --- entry points -----------------------------------------------------------------------------

def check_text(text: str, source: str = "<playbook>", *, sample: bool = True,
               attributes: Sequence[str] = ()) -> tuple[Playbook | None, list[Problem]]:
    """Validate one playbook's TOML text: the playbook (None when it has errors) and every
    problem, errors and warnings, in file order.

    `sample`: also render every template and condition for a sample customer under the
    send-time limits and check the names they use (what check, import and the editor do;
    stored versions skip it). `attributes`: the declared customer attributes to check against."""
    try:
        data = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = column = None
        if position:
            line, column = int(position.group(1)), int(position.group(2))
            message = message[:position.start()].rstrip()
        return None, [Problem("", f"invalid TOML: {message}", line, column)]
    try:
        playbook = Playbook.model_validate(data, context={SAMPLE_RENDER: sample})
    except ValidationError as error:
        return None, _problems(error, data, text)
    if not sample:
        return playbook, []
    from bot.playbooks.lint import lint_playbook

    lines = key_lines(text)
    problems = [Problem(format_key_path(finding.path), finding.message, line_for(finding.path, lines),
                        severity=finding.severity)
                for finding in lint_playbook(playbook, data, attributes)]
    problems.sort(key=lambda problem: problem.line or len(lines) + 10**6)
    return (None if any(problem.severity == "error" for problem in problems) else playbook), problems


def parse_playbook(text: str, source: str = "<playbook>", *, sample: bool = True) -> Playbook:
    """Validate one playbook's TOML text; raise PlaybookError listing every error (see check_text)."""
    playbook, problems = check_text(text, source, sample=sample)
    if playbook is None:
        raise PlaybookError(source, [problem for problem in problems if problem.severity == "error"])
    return playbook


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlaybookError(str(path), [Problem("", f"cannot read file: {error}")]) from None


def load_playbook_file(path: str | Path) -> Playbook:
    """Read and validate one playbook file; PlaybookError names the file in every line."""
    path = Path(path)
    return parse_playbook(_read(path), str(path))


def playbook_files(directory: str | Path) -> list[Path]:
    """The playbook files of a directory in name order (not recursive; skips tags.toml and scripts.toml)."""
    return sorted(path for path in Path(directory).glob("*.toml")
                  if path.is_file() and path.name not in SKIPPED_FILES
                  and not path.name.startswith("."))


def load_playbook_dir(directory: str | Path) -> LoadResult:
    """Load every playbook of a directory; a bad file is recorded and the others still load.

    Files are read in name order, so when two files share an id the first keeps it and the
    later one is reported as an error.
    """
    return load_playbook_paths([Path(directory)])


def load_playbook_paths(paths: Sequence[str | Path]) -> LoadResult:
    """Load the playbooks of these files and folders (a folder: its *.toml but tags.toml)."""
    result = LoadResult()
    files = [file for path in map(Path, paths)
             for file in (playbook_files(path) if path.is_dir() else [path])]
    for path in files:
        try:
            text = _read(path)
            playbook = parse_playbook(text, str(path))
            if playbook.id in result.playbooks:
                first = result.sources[playbook.id].path
                line = key_lines(text).get(("id",))
                raise PlaybookError(str(path), [Problem(
                    "id", f"playbook id {playbook.id!r} is already used by {first}", line)])
        except PlaybookError as error:  # reported once, by whoever asked (the CLI, the start-up import)
            logger.debug("playbook not loaded: %s", error)
            result.errors[path] = error
            continue
        result.playbooks[playbook.id] = playbook
        result.sources[playbook.id] = SourceFile(path, text, playbook_content_hash(text))
    return result
