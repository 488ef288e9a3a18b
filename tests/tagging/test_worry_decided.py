"""Worry reaches to the end of its sentence, up to a clause that opens with what the fear decided (就, 所以…):
that decision is the customer's own. Every sentence is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "课程:请假"
keywords = ["请假", "不去了", "不来了"]
not_mood = ["worry", "hypothetical"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]
not_mood = ["worry", "hypothetical"]
'''


@pytest.fixture(scope="module")
def tagger() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize(("text", "tag"), [
    ("女儿嗓子发炎，怕在教室里咳个不停，就不去了", "课程:请假"),
    ("担心皮肤敏感，所以想先约个面诊看看", "意向:预约"),
])
def test_what_the_fear_decided_is_the_customers(tagger: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(tagger, text)


@pytest.mark.parametrize("text", ["有点担心到时候孩子不去了怎么办", "怕下周又要约不上"])
def test_what_is_feared_is_still_feared(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == set()
