"""A clause that only names a thing, then a question about it with no subject or keyword of its own."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["周日下午的国画班，一次上多久", "编程小班和网课，哪种适合三年级",
                                  "下个月新开的那个口才班，学费包不包教材？"])
def test_a_question_about_the_class_named_before_it(tagger: KeywordTagger, text: str) -> None:
    assert "课程:咨询" in tags(tagger, text)


@pytest.mark.parametrize(("text", "tagged"), [
    ("孩子上周的英语课，回来一直说好玩", set()),          # no question
    ("周六的书法课，孩子能请假吗", {"课程:请假"}),        # a person opens the question
    ("剩下的八节课，能退吗", {"诉求:退款"}),              # the question names its own matter
    ("上周上了两节课，效果怎么样", set()),                # the clause tells something (了)
])
def test_what_is_no_topic(tagger: KeywordTagger, text: str, tagged: set[str]) -> None:
    assert tags(tagger, text) == tagged


@pytest.mark.parametrize("text", ["上节课讲的例题能拍给我看看吗", "昨天的课老师布置了什么", "上周的课件能再发一遍吗"])
def test_a_lesson_already_given_is_no_enquiry(tagger: KeywordTagger, text: str) -> None:
    assert "课程:咨询" not in tags(tagger, text)


def test_the_next_lesson_is_asked_about(tagger: KeywordTagger) -> None:
    assert "课程:咨询" in tags(tagger, "下节课讲什么")


@pytest.mark.parametrize("text", ["周日上午那个班还有空位吗", "暑假的课还有位置吗"])
def test_a_place_in_a_class_is_no_booking(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"课程:咨询"}
