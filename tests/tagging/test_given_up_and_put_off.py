"""A plan given up (`reversed`) books, takes leave and asks money back of nothing even when an operator's
`not_mood` leaves it out; a speaker's 说 after 再 (问问老公再说) puts it off rather than reporting anyone.
Every sentence is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "想约", "订场"]
not_mood = ["hypothetical", "worry", "deferred", "passed"]

[[keyword]]
tag = "课程:请假"
keywords = ["请假"]
not_mood = ["hypothetical", "passed"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "退钱"]
not_mood = ["hypothetical", "worry"]
'''


@pytest.fixture(scope="module")
def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize(("text", "tag"), [("本来想约下周三的，可是临时要出差", "意向:预约"),
                                          ("原本打算给孩子请假的，后来他自己非要去", "课程:请假"),
                                          ("本来想退钱的，后来想想算了", "诉求:退款")])
def test_a_plan_given_up_is_none(operator: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(operator, text)


@pytest.mark.parametrize(("text", "tag"), [("想约下周三的，有空位吗", "意向:预约"), ("明天给孩子请假", "课程:请假")])
def test_a_plan_kept_still_counts(operator: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(operator, text)


@pytest.mark.parametrize("text", ["预约的事我问问老公再说", "想约的，等孩子放假再说"])
def test_a_speakers_zaishuo_puts_it_off(operator: KeywordTagger, text: str) -> None:
    assert "意向:预约" not in tags(operator, text)
