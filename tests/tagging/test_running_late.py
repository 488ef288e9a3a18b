"""Running late or early for what is already arranged is logistics, no new booking (mood running_late)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize("text", [
    "约的十点，地铁晚点了，我可能会晚到一会儿",
    "我下午那个预约要晚十五分钟左右，麻烦跟医生说下",
    "今天放学路上堵，接孩子得晚半小时，麻烦老师帮忙照看一下",
])
def test_a_late_notice_books_nothing(tagger: KeywordTagger, text: str) -> None:
    assert "意向:预约" not in tags(tagger, text)


@pytest.mark.parametrize("text", [
    "周六上午的预约能晚半小时到吗",         # asks to move it: a booking
    "下午的预约想晚一点到，四点可以吗",
    "下午的预约能往后推半小时吗，怕会晚到",  # moved
])
def test_asking_to_be_late_moves_the_booking(tagger: KeywordTagger, text: str) -> None:
    assert "意向:预约" in tags(tagger, text)


def test_an_operators_booking_rule_that_names_no_not_mood_refuses_it() -> None:
    operator = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约", "约"]\n'))
    assert tags(operator, "我那个预约可能要晚到十分钟") == set()
    assert tags(operator, "想预约周六上午") == {"意向:预约"}


def test_a_system_named_books_nothing(tagger: KeywordTagger) -> None:
    assert "意向:预约" not in tags(tagger, "排了四十分钟才轮到我，还说是预约制")
    assert "意向:预约" in tags(tagger, "你们这是预约制吗，能不能直接过去")
