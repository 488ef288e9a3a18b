"""Issue 11, precision: a word echoed as a question and denied in the next clause (投诉？不存在的) is no complaint and
no refund asked (`rebutted`, bot/tagging/moods.py), while a word asked in earnest still counts.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

OPERATOR = '[[keyword]]\ntag = "投诉"\nkeywords = ["投诉", "差评", "不满意"]\n'


@pytest.mark.parametrize("text", [
    "投诉？怎么可能，我家孩子天天盼着上课",
    "差评？想多了，我刚给你们写了五星",
    "不满意？哪有的事，效果比我想的还好",
    "退款？不至于，就是想问问下次怎么约",
])
def test_an_echo_denied_is_no_complaint_nor_refund(tagger: KeywordTagger, plain: KeywordTagger, text: str) -> None:
    assert tags(plain, text) & {"诉求:投诉", "诉求:退款"} == set()
    assert tags(tagger, text) & {"诉求:投诉", "诉求:退款"} == set()  # the learned check adds none back


def test_an_operators_complaint_rule_refuses_it_too() -> None:
    tagger = KeywordTagger(parse_rules(OPERATOR))
    assert tags(tagger, "差评？开玩笑，给你们好评还来不及") == set()
    assert tags(tagger, "差评！服务太差了") == {"投诉"}


@pytest.mark.parametrize(("text", "expected"), [
    # Asked in words, not echoed: 能…吗 asks.
    ("能退款吗？不可能吧，合同上写了可以退", {"诉求:退款"}),
    # The denial is someone else's words: the customer still wants it.
    ("退款？前台说不可能，我要找你们店长", {"诉求:退款"}),
    # The echo is not denied.
    ("投诉？我当然要投诉，等了两个小时没人管", {"诉求:投诉"}),
])
def test_a_word_asked_in_earnest_still_counts(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert expected <= tags(plain, text)
