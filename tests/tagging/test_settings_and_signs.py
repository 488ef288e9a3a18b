"""Issue 11, precision: a class named as the setting of a parent's question, a sign of discomfort told of
a person, leave told as history or said with 停, and a result no better than none.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 在 + a broad asked word + a word of place: the class is where it happened.
        ("今天在课上他有没有举手回答问题", set()),
        ("儿子在班里是不是最调皮的那个", set()),
        # The course asked about all the same.
        ("课上会教乐理吗", {"课程:咨询"}),
        ("周末还有班吗", {"课程:咨询"}),
    ],
)
def test_a_class_as_the_setting_asks_no_course(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


def test_an_operator_names_the_words_of_place() -> None:
    rules = """
[language]
locatives = ["里"]

[[keyword]]
tag = "咨询:课程"
keywords = ["课程表"]
asked = ["课"]
intent = true
"""
    operator = KeywordTagger(parse_rules(rules))
    assert tags(operator, "他在课里有没有睡觉") == set()
    assert tags(operator, "他在课上有没有睡觉") == {"咨询:课程"}  # 上 is no longer a word of place here


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A sign of discomfort told of a person is that sign, not the sarcastic 吐了.
        ("女儿半夜吐了，明天的英语课请一天", {"课程:请假"}),
        ("我妈吃完饭吐了，今天先不过去了", set()),
    ],
)
def test_a_sign_told_of_a_person_is_no_sarcasm(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


def test_said_of_nobody_it_still_scoffs(tagger: KeywordTagger) -> None:
    assert "诉求:投诉" in tags(tagger, "真是吐了，这服务")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Leave told as history is none now.
        ("上星期孩子请了一次假，这周正常来", set()),
        # Leave said with 停 or with 假 left out, where the class or the child is named.
        ("孩子的书法课暂停一个月", {"课程:请假"}),
        ("周四的数学课请一次，孩子去比赛", {"课程:请假"}),
        ("儿子这周的课停一停，要复习考试", {"课程:请假"}),
        # Without a class or a child, 停 is no leave.
        ("停一下吧，我想想", set()),
    ],
)
def test_leave_told_as_history_or_with_ting(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize("text", ["调理了一个月跟没调一个样", "补了两次课和没补没两样"])
def test_a_result_no_better_than_none_complains(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(tagger, text)
