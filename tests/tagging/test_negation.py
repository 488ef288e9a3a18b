"""Negation and passing over clauses: a symptom said again, denied and closed by 了, has passed.

Sentences are new (not from tests/data), one per way of saying it.
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚做完那会儿有点胀 这两天已经不胀了", set()),  # the next space-separated clause says it passed
        ("上午还有些疼，下午就不疼了", set()),  # the degree (有些) is not said again
        ("昨天有点痒，今天没再痒了", set()),
        ("前天有点痒 现在还是痒", {"术后:不适"}),  # said again, not denied: still there
        ("有点痒，不痒的时候也发红", {"术后:不适"}),  # denied but no change of state (no 了)
    ],
)
def test_a_symptom_denied_later_in_the_sentence_has_passed(tagger: KeywordTagger, text: str,
                                                           expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("疗程我不想做了能退吗", {"诉求:退款"}),  # 了 closes 不想做: the refund is asked
        ("孩子不想学了想退费", {"诉求:退款"}),
        ("暂时不想退了", set()),  # 了 after the keyword: still denied
        ("不用了解退款的事", set()),  # 了解 is a word, not the particle
    ],
)
def test_a_closing_le_ends_the_negated_phrase(unchecked: KeywordTagger, text: str, expected: set[str]) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert tags(unchecked, text) == expected



UNABLE_RULES = """
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]

[[keyword]]
tag = "关注:价格"
keywords = ["价格", "多少钱"]
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("这周约不了课了，孩子住院了", set()),            # 不了 right after the keyword denies it
    ("预约先不了，最近太忙", set()),                  # after an adverb it declines what came before
    ("这个价格我们接受不了", {"关注:价格"}),          # 接受 cannot be done, the price is spoken of
    ("私教的价格我们负担不了，小班呢", {"关注:价格"}),
])
def test_unable_denies_the_verb_right_before_it(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(UNABLE_RULES)), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打完倒也不疼，就是有点困", set()),  # jieba's 倒也不: the adverb and its negator as one word
        ("敷完面膜倒也不痒了", set()),
        ("可不是嘛，打完第二天疼得厉害", {"术后:不适"}),  # 可不是 agrees: nothing is denied
        ("何不先预约一个试试", {"意向:预约"}),  # 何不 suggests: nothing is denied
    ],
)
def test_an_adverb_glued_to_its_negator_still_denies(unchecked: KeywordTagger, text: str, expected: set[str]) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert tags(unchecked, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打完水光没两天又开始痒了", {"术后:不适", "项目:水光针"}),  # 没两天 says how soon: 痒 is told
        ("做完没几天脸就肿了", {"术后:不适"}),
        ("做完以后没肿", set()),  # 没 before the sign still denies it
    ],
)
def test_a_negator_before_a_length_of_time_denies_the_time(unchecked: KeywordTagger, text: str,
                                                           expected: set[str]) -> None:
    assert tags(unchecked, text) == expected
