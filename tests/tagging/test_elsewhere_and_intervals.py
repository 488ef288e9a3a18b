"""Shipped rules: how long until a follow-up (想问下多久复查) books nothing, a check-up at a hospital (去医院复查) is
elsewhere, and a campus's address (校区的地址) asks the way, not about a course. Every sentence is new."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["上个月做的水光，想问下多久复查", "明天我带我妈去医院复查，课先停一次"])
def test_an_interval_or_a_hospital_elsewhere_books_nothing(tagger: KeywordTagger, text: str) -> None:
    assert "意向:预约" not in tags(tagger, text)


def test_a_follow_up_with_a_time_still_books(tagger: KeywordTagger) -> None:
    assert "意向:预约" in tags(tagger, "周六上午想过来复查一下")


def test_a_campus_address_is_no_course_enquiry(tagger: KeywordTagger) -> None:
    assert "课程:咨询" not in tags(tagger, "请问东区校区的地址")
    assert "课程:咨询" in tags(tagger, "钢琴课在哪个校区上")


@pytest.mark.parametrize("text", ["学费是按课时算还是按月算", "每个课次多少钱"])
def test_a_lesson_as_the_unit_of_a_price_is_only_a_price(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"关注:价格"}


def test_lessons_counted_beside_a_price_are_both(tagger: KeywordTagger) -> None:
    assert tags(tagger, "一期有多少课时，多少钱") == {"关注:价格", "课程:咨询"}
