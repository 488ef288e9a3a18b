"""A day named and then 有事 (周四孩子有事) is that day's class missed: leave, where the message names a class."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["老师抱歉，周五孩子有事", "周四晚上我家有事，钢琴课上不成",
                                  "明天下午女儿有事，老师跟您说一声"])
def test_a_busy_day_with_a_class_is_leave(tagger: KeywordTagger, text: str) -> None:
    assert "课程:请假" in tags(tagger, text)


@pytest.mark.parametrize("text", ["我在开会，有事发微信", "有事找她爸爸就行，孩子的课照常",
                                  "周日有事，帮我把那个号取消掉"])
def test_busy_without_a_day_or_a_class_is_no_leave(tagger: KeywordTagger, text: str) -> None:
    assert "课程:请假" not in tags(tagger, text)
