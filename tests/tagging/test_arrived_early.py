"""A move's 到 closed by 了 with no time after it is an arrival (我们提前到了): nothing is rescheduled.
Every sentence is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "预约:改期"
keywords = ["改期", "改时间"]
[keyword.cues]
"mood:rescheduled" = 2
'''


@pytest.fixture(scope="module")
def moves() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize("text", ["我们提前到了，能先进去坐坐吗", "老师我已经提前到啦，在门口"])
def test_arriving_early_moves_nothing(moves: KeywordTagger, text: str) -> None:
    assert "预约:改期" not in tags(moves, text)


@pytest.mark.parametrize("text", ["能把下周的课提前到周三吗", "体验课提前到了明天上午，知道一下"])
def test_a_move_to_a_time_still_moves(moves: KeywordTagger, text: str) -> None:
    assert "预约:改期" in tags(moves, text)
