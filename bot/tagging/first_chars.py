"""A regex searched only from the characters a match can begin with.

The regex engine skips ahead by itself only for a pattern that opens with a literal or with an
alternation of literals. A pattern whose alternatives open with groups (the clause markers, one
named group per kind) or with a repeat (the grievance trigger) is tried in full at every
position of the text. `FirstCharSearch` reads from the pattern's own parse the characters any
match must begin with, jumps between them with one character class, and tries the pattern
only there: the same matches, in a half to a third of the time on such patterns (and slower on
a pattern of plain words, which the engine already skips through: use it where it is measured).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.tagging.patterns import compile_pattern

try:  # the regex engine's own parser (private; without it, searches are plain)
    from re import _constants as _sre
    from re import _parser
except ImportError:  # pragma: no cover
    _parser = None

_RANGE_LIMIT = 256  # a wider class range (any Han character) makes the first characters unknown


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of `pattern` begins with; None when unknown or when a match
    may be empty or begin anywhere (a leading `.`, a negated class, case folding)."""
    if _parser is None or pattern.flags & re.IGNORECASE:
        return None
    chars, nullable = _first(_parser.parse(pattern.pattern, pattern.flags))
    return frozenset(chars) if chars and not nullable else None


def _first(items: Iterable[tuple[object, object]]) -> tuple[set[str] | None, bool]:
    """(first characters, whether the sequence may match empty) of a sequence of parsed items."""
    chars: set[str] = set()
    for op, value in items:
        found, nullable = _first_of(op, value)
        if found is None:
            return None, False
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _first_of(op: object, value: object) -> tuple[set[str] | None, bool]:
    if op is _sre.LITERAL:
        return {chr(value)}, False
    if op is _sre.IN:
        chars: set[str] = set()
        for kind, item in value:
            if kind is _sre.LITERAL:
                chars.add(chr(item))
            elif kind is _sre.RANGE and item[1] - item[0] < _RANGE_LIMIT:
                chars.update(map(chr, range(item[0], item[1] + 1)))
            else:  # a negated class, a category (\d, \s), a wide range
                return None, False
        return chars, False
    if op is _sre.BRANCH:
        chars, nullable = set(), False
        for branch in value[1]:
            found, empty = _first(branch)
            if found is None:
                return None, False
            chars |= found
            nullable = nullable or empty
        return chars, nullable
    if op is _sre.SUBPATTERN:  # (group, added flags, removed flags, items)
        return (None, False) if value[1] & re.IGNORECASE else _first(value[3])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):  # (min, max, items)
        found, empty = _first(value[2])
        return (None, False) if found is None else (found, empty or value[0] == 0)
    if op is _sre.ATOMIC_GROUP:
        return _first(value)
    if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):  # zero width: what follows begins the match
        return set(), True
    return None, False  # any character, a negated literal, a back reference...


class FirstCharSearch:
    """`pattern.search`, tried only where a character that can begin a match stands."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        chars = first_chars(pattern)
        self._starts = compile_pattern(f"[{''.join(map(re.escape, sorted(chars)))}]") if chars else None

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """The first match at or after `pos`, as `pattern.search(text, pos)` finds it."""
        starts = self._starts
        if starts is None:
            return self.pattern.search(text, pos)
        match = self.pattern.match
        while (start := starts.search(text, pos)) is not None:
            found = match(text, start.start())
            if found is not None:
                return found
            pos = start.start() + 1
        return None
