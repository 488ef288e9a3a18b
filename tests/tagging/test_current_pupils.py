"""Issue 11, precision: a pupil's family already enrolled talks about its lessons (the last one, the balance,
the notes, being late) without enquiring about a course, and a parent's own day off is no leave from a class.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 上次 is the last time: 上次课 is the last lesson, not 上课 split by 次.
        ("上次课讲的例题能发我看看吗", set()),
        # The balance of lessons, and the notes of one given.
        ("英语课时还剩几节，帮我看一下", set()),
        ("这个月怎么扣了三次课时", set()),
        ("上周那节课的课件麻烦发我一下", set()),
        ("英语课的讲义能再发一遍吗", set()),
        # Late for a lesson that stands.
        ("钢琴课可能要晚二十分钟到", set()),
        # A course asked about still is.
        ("你们暑假有英语课吗", {"课程:咨询"}),
        ("周六下午的课还有名额吗", {"课程:咨询"}),
    ],
)
def test_an_enrolled_pupils_lessons_are_no_enquiry(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The parent's own day off, spent at home or on taking the child.
        ("我明天请假在家，可以自己接孩子", set()),
        ("我老公明天请假送孩子来上课", set()),
        # How early leave must be asked for: the rule, no leave taken.
        ("请假一般要提前几天说", set()),
        # Leave from the class still is.
        ("老师，周三的课帮我们请个假", {"课程:请假"}),
        ("下周三的课请假，提前跟您说一声", {"课程:请假"}),
    ],
)
def test_a_parents_day_off_is_no_leave(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected
