"""The regexes a tagger builds from its rules, compiled once per machine.

A tagger compiles a few hundred regexes from its rules and word lists (keyword and typo tries,
the clause markers, cues, grievances), and `re` parses and compiles each in Python: a quarter of
the start-up of `siyu tag`. What the compiler makes of a pattern (the regex engine's code, a list
of integers, with the group names) depends only on the pattern's text, its flags and the Python
that compiled it, so it is kept on disk beside the segmenter's dictionary (`disk_cache`), and a
later process hands it to the engine directly. The engine checks the code it is given, and the
file is named by the Python version and the engine's own version number.

A pattern derived from another (`compile_variant`: the class of the characters a pattern's matches
begin with, the pattern pruned to what can begin with one character, bot/tagging/first_chars.py)
is kept the same way, under its source's text and the variant's name.

This reads CPython's regex compiler from inside (`re._compiler`, `_sre.compile`, as
`first_chars` reads its parser): where that is missing or refuses the code, patterns compile as
`re.compile` does, and nothing is kept.
"""

from __future__ import annotations

import re
import sys
import threading
from array import array
from collections.abc import Callable
from pathlib import Path

from bot.tagging.disk_cache import cache_path, load_cached, store_cached

try:  # the regex engine's own compiler (private)
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover
    _sre = None

_FORMAT = 2  # bumped when the file's layout changes
_CODE_TYPE = "I"  # the engine's code units are 32-bit (SRE_CODE)
# Bytes of code the file holds at most (a rule file's patterns, with the variants its messages
# needed, are about a megabyte): the latest process's own patterns first, then those the file held
# while they fit, so the file does not keep growing with the patterns of rule files and code no
# longer run, which every start-up would read, and two rule files used in turn keep most of theirs.
_MOST_CODE = 4_000_000

Compiled = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]  # flags, code, groups, names
Key = tuple[str, int, str]  # source, flags, variant ("" for the pattern itself)
Parsed = object  # a parse of re._parser (SubPattern)

_lock = threading.Lock()
_kept: dict[Key, Compiled] | None = None  # read from the file, on first use
_used: dict[Key, Compiled] = {}  # what this process compiled or read, for the file
_made: dict[Key, re.Pattern[str]] = {}  # the patterns themselves, once per process
_unsaved = False  # this process compiled a pattern the file did not hold


def compile_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, from the file when an earlier process compiled the same pattern."""
    key = (source, int(flags), "")
    pattern = _made.get(key)
    if pattern is None:
        pattern = _made[key] = _engine_pattern(key) if _READABLE else re.compile(source, flags)
    return pattern


def compile_variant(source: str, flags: int, variant: str, parse: Callable[[], Parsed | None]
                    ) -> re.Pattern[str] | None:
    """A pattern derived from `source`, named `variant`, whose parse `parse` makes (only when the
    file does not hold it); None, and nothing kept, when `parse` gives none."""
    key = (source, int(flags), variant)
    pattern = _made.get(key)
    if pattern is None:
        pattern = _engine_pattern(key, parse) if _READABLE else _compiled_anew(parse(), int(flags))
        if pattern is None:
            return None
        _made[key] = pattern
    return pattern


def longest_first(word: str) -> tuple[int, str]:
    """Sort key of the words of an alternation: longest first, as a regex must try them, then by
    text, so that the same words always make the same pattern: a set's order changes with each
    process's hash seed, and a pattern is found in the file by its text."""
    return -len(word), word


def save_patterns() -> None:
    """Keep the patterns this process compiled for the next one (only if it compiled any anew).
    The file holds what it held and this process's patterns; another process that saves at the
    same moment may drop a few of them, which are then compiled and saved again next time."""
    global _unsaved
    if not _unsaved:
        return
    with _lock:
        _unsaved = False
        path = _path()
        held = load_cached(path)
        table = dict(_used)
        size = sum(len(compiled[1]) for compiled in table.values())
        for key, compiled in (held.items() if isinstance(held, dict) else ()):
            if key not in table and size + len(compiled[1]) <= _MOST_CODE:
                table[key] = compiled
                size += len(compiled[1])
        store_cached(path, table, "regex")


def _engine_pattern(key: Key, parse: Callable[[], Parsed | None] | None = None) -> re.Pattern[str] | None:
    """The pattern from the code the file holds for it, or compiled (and then kept for the file)."""
    global _unsaved
    source, flags, _ = key
    compiled = _kept_patterns().get(key)
    if compiled is not None:
        try:
            pattern = _pattern(source, compiled)
        except (RuntimeError, TypeError, ValueError):  # code the engine refuses: compile it anew
            pass
        else:
            _used[key] = compiled
            return pattern
    parsed = _parser.parse(source, flags) if parse is None else parse()
    if parsed is None:
        return None
    try:
        compiled = _compiled(parsed, flags)
        pattern = _pattern(source, compiled)
    except (AttributeError, TypeError, RuntimeError):  # another version's compiler inside
        return re.compile(source, flags) if parse is None else _compiled_anew(parsed, flags)
    _used[key], _unsaved = compiled, True
    return pattern


def _compiled_anew(parsed: Parsed | None, flags: int) -> re.Pattern[str] | None:
    """A parse compiled as `re` compiles it, nothing kept."""
    return None if parsed is None else _compiler.compile(parsed, flags)


def _kept_patterns() -> dict[Key, Compiled]:
    global _kept
    if _kept is None:
        with _lock:
            if _kept is None:
                held = load_cached(_path())
                _kept = held if isinstance(held, dict) else {}
    return _kept


def _path() -> Path:
    version = ".".join(map(str, sys.version_info[:3]))
    return cache_path(f"regex-{sys.implementation.name}-{version}-{_sre.MAGIC}-{_FORMAT}.marshal")


def _compiled(parsed: Parsed, flags: int) -> Compiled:
    """What `re._compiler.compile` hands the engine for a parse."""
    code = _compiler._code(parsed, flags)
    names = parsed.state.groupdict
    by_number: list[str | None] = [None] * parsed.state.groups
    for name, number in names.items():
        by_number[number] = name
    return (int(flags | parsed.state.flags), array(_CODE_TYPE, code).tobytes(), parsed.state.groups - 1,
            dict(names), tuple(by_number))


def _pattern(source: str, compiled: Compiled) -> re.Pattern[str]:
    flags, code, groups, names, by_number = compiled
    return _sre.compile(source, flags, array(_CODE_TYPE, code).tolist(), groups, names, by_number)


# Whether this Python's engine can be handed code: CPython's, with 32-bit units an array can hold.
_READABLE = _sre is not None and array(_CODE_TYPE).itemsize == 4
