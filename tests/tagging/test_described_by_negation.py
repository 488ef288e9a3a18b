"""有 before a negated 的 phrase (有没有不辣的套餐, 有不用早起的班吗) asks for a thing so described: the negator stays
inside the description and the keyword after the 的 is asked. Every sentence is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "咨询:课程"
keywords = ["课程", "班"]
intent = true
'''


@pytest.fixture(scope="module")
def courses() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize("text", ["有没有不用早起的班", "有不需要家长陪同的课程吗", "还有不太难的班吗"])
def test_a_thing_described_by_a_negation_is_asked(courses: KeywordTagger, text: str) -> None:
    assert "咨询:课程" in tags(courses, text)


@pytest.mark.parametrize("text", ["不需要你们的课程", "没有合适的班吗？那算了，不报了", "暂时不想报班"])
def test_the_thing_itself_denied_stays_denied(courses: KeywordTagger, text: str) -> None:
    assert "咨询:课程" not in tags(courses, text)
