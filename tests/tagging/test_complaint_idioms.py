"""Complaints said with a common idiom and no complaint word (the 投诉 group's DEFAULT_CUES in
bot/tagging/concepts.py): a price scorned as robbery, a result or a word that did nothing, a delay dragged
out, a straight answer demanded, a promise recalled. The rules are a car wash's, a trade no development set
has, with an operator's complaint rule of two words."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

WASH = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:洗车"
keywords = ["洗车", "预约"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "不满意"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def wash() -> KeywordTagger:
    return KeywordTagger(parse_rules(WASH))


@pytest.mark.parametrize("text", [
    "打个蜡要六百，这不是宰客吗",              # a price scorned
    "精洗收三百八，真把人当冤大头",
    "内饰的污渍洗了两遍，压根没用",            # a result that did nothing
    "跟前台说了也白说",
    "补漆的事一拖再拖",                        # a delay dragged out
    "拖了这么久，到底什么时候能提车",          # with another cue (到底)
    "一开始说的半小时洗完，等了快两个钟头",    # a promise recalled, with a wait
])
def test_an_idiom_of_complaint_is_heard(wash: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(wash, text)


@pytest.mark.parametrize("text", [
    "我压根不知道你们周日也开门",              # 压根 alone is one point
    "拖了这么久才来，是我自己一直没空",        # one cue alone is no complaint
    "能给个准话吗，周六上午有没有空位",
])
def test_one_cue_alone_is_no_complaint(wash: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(wash, text)


def test_a_rules_own_cue_weight_wins() -> None:
    tagger = KeywordTagger(parse_rules(WASH.replace('keywords = ["投诉", "不满意"]',
                                                    'keywords = ["投诉", "不满意"]\n[keyword.cues]\n"宰客" = 0')))
    assert "诉求:投诉" not in tags(tagger, "打个蜡要六百，这不是宰客吗")
