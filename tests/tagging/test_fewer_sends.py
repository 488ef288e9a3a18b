"""Issue 11, precision: a refusal of how often or how much is sent (不用每次都发, 别一天发三遍) is no opt-out
(`fewer`, bot/tagging/opt_out.py), while a schedule refused (别每天都推了) still is.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

OPT_OUT = "状态:退订"
OPERATOR = '[[keyword]]\ntag = "状态:退订"\nkeywords = ["退订", "别再发", "别发", "不用发", "别打电话"]\n'


@pytest.fixture(scope="module")
def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(OPERATOR))


@pytest.mark.parametrize("text", [
    "课前提醒不用每次都发，开课前一天发一次就够了",
    "账单别每条都单独发我，月底汇总一下",
    "同一个通知别一天发两遍，看到了",
    "周报不用每张图都发，挑重点的就行",
    "别发这么多张照片，发一张合照就好",
    "活动通知别重复发了，收到了",
])
def test_a_refused_frequency_is_no_opt_out(plain: KeywordTagger, operator: KeywordTagger, text: str) -> None:
    assert OPT_OUT not in tags(plain, text)
    assert OPT_OUT not in tags(operator, text)


@pytest.mark.parametrize("text", [
    "别每天都给我发课程广告了",
    "以后别再发消息了",
    "你们每次都发一大堆，别再发了",
    "天天发优惠，退订",
])
def test_the_messages_refused_still_opt_out(plain: KeywordTagger, operator: KeywordTagger, text: str) -> None:
    assert OPT_OUT in tags(plain, text)
    assert OPT_OUT in tags(operator, text)


def test_an_empty_word_list_turns_the_reading_off() -> None:
    tagger = KeywordTagger(parse_rules(OPERATOR + "\n[language]\nfrequencies = []\n"))
    assert OPT_OUT in tags(tagger, "课前提醒不用每次都发")
