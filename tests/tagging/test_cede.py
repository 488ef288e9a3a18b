"""A keyword that only sets the scene of another tag's question stands down where that tag is given (`cede`)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RulesError, parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["寒假前报名能打几折", "三个科目一起报有没有减免", "国庆期间报名有活动价吗"])
def test_enrolment_in_a_price_question_asks_the_price(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"关注:价格"}


@pytest.mark.parametrize("text", ["钢琴一对一一节课多少钱", "想给孩子报名，学费怎么收", "暑假班现在报名有优惠吗"])
def test_a_course_named_with_the_price_is_both(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"关注:价格", "课程:咨询"}


@pytest.mark.parametrize("text", ["学一年大概要花多少钱", "每节课能打折吗", "你们的课程有没有团购价"])
def test_the_lesson_as_the_unit_of_a_price_asks_the_price(tagger: KeywordTagger, text: str) -> None:
    # 课, 一节课, 学: what the price is counted in, not a course asked about
    assert tags(tagger, text) == {"关注:价格"}


def test_enrolment_alone_is_an_enquiry(tagger: KeywordTagger) -> None:
    assert tags(tagger, "报名截止到哪天") == {"课程:咨询"}


RULES = '''
[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "优惠"]

[[keyword]]
tag = "会员:续卡"
keywords = ["续卡", "充值"]
[keyword.cede]
"{price}" = ["充值"]
'''


def test_an_operator_cedes_a_word() -> None:
    operator = KeywordTagger(parse_rules(RULES.replace("{price}", "关注:价格")))
    assert tags(operator, "充值有优惠吗") == {"关注:价格"}
    assert tags(operator, "我想续卡，有优惠吗") == {"关注:价格", "会员:续卡"}


def test_ceding_to_an_unknown_tag_is_an_error() -> None:
    with pytest.raises(RulesError, match="cede"):
        parse_rules(RULES.replace("{price}", "关注:价钱"))
