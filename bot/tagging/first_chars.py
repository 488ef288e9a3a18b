"""A regex searched only from the characters a match can begin with.

The regex engine skips ahead by itself only for a pattern that opens with a literal or with an
alternation of literals. A pattern whose alternatives open with groups (the clause markers, one
named group per kind) or with a repeat (the grievance trigger) is tried in full at every
position of the text, and at each position it tries every alternative in turn (the markers'
thirty kinds, each a trie of words). `FirstCharSearch` reads from the pattern's own parse the
characters any match must begin with, jumps between them with one character class, and there
tries the pattern pruned to the alternatives that can begin with the character found (`pruned`:
of the markers, the few kinds with a word opening with 不 where the text has 不). The same matches
as `pattern.search`, in a quarter to a half of the time on such patterns (and slower on a pattern
of plain words, which the engine already skips through: use it where it is measured). The
pruned patterns are made the first time a character needs one and kept compiled
(bot/tagging/patterns.py), like the class of first characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.tagging.patterns import compile_variant

try:  # the regex engine's own parser (private; without it, searches are plain)
    from re import _constants as _sre
    from re import _parser
except ImportError:  # pragma: no cover
    _parser = None

_RANGE_LIMIT = 256  # a wider class range (any Han character) makes the first characters unknown
_ZERO_WIDTH = () if _parser is None else (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT)


def first_chars(pattern: re.Pattern[str], parsed: _parser.SubPattern | None = None) -> frozenset[str] | None:
    """The characters every match of `pattern` (its parse, if given) begins with; None when unknown
    or when a match may be empty or begin anywhere (a leading `.`, a negated class, case folding)."""
    if _parser is None or pattern.flags & re.IGNORECASE:
        return None
    chars, nullable = _first(parsed if parsed is not None else _parser.parse(pattern.pattern, pattern.flags))
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


def pruned(items: _parser.SubPattern, char: str) -> _parser.SubPattern:
    """A parsed pattern without the alternatives that cannot begin with `char` where they come
    first (a branch at the start, inside groups at the start, after assertions): tried where the
    text has `char`, it matches as the whole pattern does, alternatives in the same order."""
    out = []
    for at, (op, value) in enumerate(items):
        if op is _sre.BRANCH:
            kept = [pruned(branch, char) for branch in value[1] if _may_begin(branch, char)]
            out.append((op, (value[0], kept or value[1])))
        elif op is _sre.SUBPATTERN and not value[1] & re.IGNORECASE:  # (group, added flags, removed flags, items)
            out.append((op, (*value[:3], pruned(value[3], char))))
        else:
            out.append((op, value))
        if op not in _ZERO_WIDTH:  # what follows a part that may take characters is left whole
            out += items[at + 1 :]
            break
    return _parser.SubPattern(items.state, out)


def _may_begin(items: _parser.SubPattern, char: str) -> bool:
    found, empty = _first(items)
    return found is None or empty or char in found


class FirstCharSearch:
    """`pattern.search`, tried only where a character that can begin a match stands, with the
    alternatives that can begin with it."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._parsed: _parser.SubPattern | None = None  # read when a character's pattern is first made
        self._starts = compile_variant(pattern.pattern, pattern.flags, "first characters", self._first_chars)
        self._at: dict[str, Callable[[str, int], re.Match[str] | None]] = {}  # character -> its pattern's match

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """The first match at or after `pos`, as `pattern.search(text, pos)` finds it."""
        starts = self._starts
        if starts is None:
            return self.pattern.search(text, pos)
        at = self._at
        while (start := starts.search(text, pos)) is not None:
            begin = start.start()
            found = (at.get(text[begin]) or self._match_at(text[begin]))(text, begin)
            if found is not None:
                return found
            pos = begin + 1
        return None

    def _match_at(self, char: str) -> Callable[[str, int], re.Match[str] | None]:
        pattern = compile_variant(self.pattern.pattern, self.pattern.flags, f"at {char}",
                                  lambda: pruned(self._parse(), char))
        assert pattern is not None
        self._at[char] = pattern.match
        return pattern.match

    def _parse(self) -> _parser.SubPattern:
        if self._parsed is None:
            self._parsed = _parser.parse(self.pattern.pattern, self.pattern.flags)
        return self._parsed

    def _first_chars(self) -> _parser.SubPattern | None:
        """A class of the characters every match begins with, parsed; None when they are unknown."""
        chars = first_chars(self.pattern, self._parse() if _parser is not None else None)
        return _parser.parse(f"[{''.join(map(re.escape, sorted(chars)))}]") if chars else None
