"""Shipped rules: what is left to be paid back (剩下的学费怎么算, 余下, 剩余) is the refund's reckoning, no price
question; a parents' meeting (家长会) is no course. Every sentence is new."""

from __future__ import annotations

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


def test_the_money_left_is_reckoned_for_a_refund(tagger: KeywordTagger) -> None:
    assert tags(tagger, "钢琴课不学了，剩下的学费怎么算，能退多少") == {"诉求:退款"}


def test_a_fee_asked_is_still_a_price(tagger: KeywordTagger) -> None:
    assert "关注:价格" in tags(tagger, "一期的学费怎么算")


def test_a_parents_meeting_is_no_course(tagger: KeywordTagger) -> None:
    assert "课程:咨询" not in tags(tagger, "下周的家长会是线上开吗")
    assert "课程:咨询" in tags(tagger, "网课是线上还是线下")
