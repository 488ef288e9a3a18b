"""A regex searched from the characters its matches begin with, pruned to what can begin with each:
the same matches as `pattern.search`, wherever the search starts."""

from __future__ import annotations

import re

import pytest

from bot.tagging.first_chars import FirstCharSearch, first_chars

PATTERNS = [
    # one named group per kind, as the clause markers are; a word in two kinds goes to the first
    "(?P<worry>担心|怕|不放心)|(?P<hearsay>听.{0,3}?说|听说)|(?P<deferral>再说|不急)|(?P<negated>不放)",
    # a lookbehind before the first character, a repeat after it
    "(?<![不没])(?:太|真|好)(?:慢|贵|差)+|(?<=[完了])[0-9]+天",
    # an optional first part: what follows it may begin the match
    "不?(?:满意|舒服)|很?好",
    # a group read without case at the start
    "(?i:ok)|好的",
]
TEXTS = ["我有点担心会肿", "听朋友说你们不放心", "不急，下个月再说", "也太慢了吧，真贵", "做完3天了", "不太慢",
         "不满意", "满意", "很好", "不舒服", "OK的", "好的呀", "", "没有"]


@pytest.mark.parametrize("source", PATTERNS)
def test_it_finds_what_the_pattern_finds_from_every_position(source: str) -> None:
    pattern = re.compile(source)
    search = FirstCharSearch(pattern)
    for text in TEXTS:
        for pos in range(len(text) + 1):
            expected, found = pattern.search(text, pos), search.search(text, pos)
            assert (found and (found.span(), found.lastgroup)) == (expected and (expected.span(), expected.lastgroup))


def test_the_first_characters_are_read_from_the_parse() -> None:
    assert first_chars(re.compile("(?<![不没])(?:太|真)慢|听.{0,3}?说")) == frozenset("太真听")
    assert first_chars(re.compile("不?满意")) == frozenset("不满")
    assert first_chars(re.compile(".好")) is None
