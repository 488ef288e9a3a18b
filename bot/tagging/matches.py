"""What the keyword tagger returns (`TagMatch`) and what its index finds in a clause (`Entry`, `Hit`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from bot.tagging.script import fold

# What ends a piece of a message (a clause's part between punctuation or spaces), as a regex class.
PUNCTUATION = ",.!?;:~。！？；，：…～\\s"


@dataclass(frozen=True)
class TagMatch:
    """One tag on one message, with the words and clause that explain it."""

    tag: str
    group: str
    rule: str  # stable rule id, e.g. "keyword:意向:预约"
    matched: tuple[str, ...]  # the rule's keywords that fired, as written in the rules, text order
    clause: str  # the first clause the tag fired in, as the customer wrote it


class Entry(NamedTuple):
    rule: int
    keyword: str  # as written in the rules (after vocab expansion)
    rest: tuple[str, ...]  # parts after the first `*`, normalised
    exclude: bool


class Hit(NamedTuple):
    rule: int
    keyword: str
    start: int  # first token
    end: int  # one past the last token
    spans: tuple[tuple[int, int], ...]  # (first, end) tokens of each part
    exclude: bool


def normalise(text: str) -> str:
    """Case-, width- and script-fold (traditional to simplified); keeps the length so offsets
    still point into the original text."""
    return fold(text)
