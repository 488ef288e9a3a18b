"""Words in quotation marks after a verb of saying are someone's words: mood `quoted`.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.language import quoted_spans
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我同事说“这家店要投诉” 我觉得还好吧", set()),
        ("客服讲：「不满意可以退款」，我才交的钱", set()),
        ('前台问我"要不要预约复查" 我说先不用', set()),
        ("你们说的“终身保修”结果现在不认了 我要投诉", {"诉求:投诉"}),  # the customer's own words after the quote
        ("所谓的“专业团队”就这水平，真让人失望", {"诉求:投诉"}),  # quotation marks of irony: no verb of saying
    ],
)
def test_quoted_words_are_not_the_customers(unchecked: KeywordTagger, text: str, expected: set[str]) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert tags(unchecked, text) == expected


def test_quotation_spans_need_a_verb_of_saying() -> None:
    text = "她说“想退款”"
    assert [text[a:b] for a, b in quoted_spans(text)] == ["想退款"]
    assert quoted_spans("这个“优惠”也太假了") == []


def test_quoted_is_refused_by_default_and_a_rule_may_ask_for_it() -> None:
    default = KeywordTagger(parse_rules('[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n'))
    assert tags(default, "他说“我要退款”") == set()
    wanting = KeywordTagger(parse_rules('[[keyword]]\ntag = "转述"\nkeywords = ["退款"]\n'
                                        'mood = ["quoted"]\nnot_mood = []\n'))
    assert tags(wanting, "他说“我要退款”") == {"转述"}
    assert tags(wanting, "我要退款") == set()
