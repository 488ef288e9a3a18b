"""Complaints told through a grievance, not a complaint word: an operator's complaint rule hears them
through the shipped cues (bot/tagging/concepts.py DEFAULT_CUES); praise, neutral repetition, the
customer's own fault and a question about a procedure stay untagged."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

COMPLAINT = '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉"]\n'


def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(COMPLAINT))


@pytest.mark.parametrize("text", ["店里的服务一次比一次差", "这家的菜真是一年不如一年", "接送的司机也太不小心了吧",
                                  "前台天天打电话，一天打三回，烦不烦"])
def test_a_decline_or_an_exclamation_complains(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}
    assert tags(KeywordTagger(parse_rules(COMPLAINT + "expand = false\n")), text) == set()


@pytest.mark.parametrize("text", ["孩子的字一天比一天好看了", "我太粗心了，钥匙落在店里了", "今天作业多不多呀",
                                  "你们烦不烦我不知道，反正我挺喜欢的"])
def test_the_same_words_without_a_grievance_do_not(text: str) -> None:
    assert tags(operator(), text) == set()
