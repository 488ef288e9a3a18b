"""Two lessons swapped (和周四的换一下, 跟下周对调) are a move of the class: leave, no course enquiry."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["明天的书法课能跟后天的调换一下吗", "周日那节英语课可以和周六的对调吗",
                                  "这周三的课能和周五的换一下吗，孩子要去比赛"])
def test_a_swapped_lesson_is_leave(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"课程:请假"}


def test_a_swapped_appointment_is_a_booking(tagger: KeywordTagger) -> None:
    assert tags(tagger, "周五的预约能跟下周一的对调一下吗") == {"意向:预约"}


@pytest.mark.parametrize("text", ["明天孩子清个假，要回老家", "老师，今天晴个假，孩子发烧了"])
def test_a_split_leave_typed_by_sound_is_leave(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"课程:请假"}


def test_a_real_word_is_no_typo(tagger: KeywordTagger) -> None:
    assert "课程:请假" not in tags(tagger, "今天天气晴，孩子去公园了")
