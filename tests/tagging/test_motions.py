"""Coming and going: an operator writes a motion to the business from one side, the customer from the other
(`motions_swapped` in concepts.py)."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import motions_swapped
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# An art class's day-one rules: a visit written as coming, leave as not coming.
ART = '''
[[keyword]]
tag = "意向:参观"
keywords = ["想过来看看", "去画室"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "课程:请假"
keywords = ["请假", "不过来", "不来了"]
not_mood = ["hypothetical", "worry", "deferred", "reported"]
'''


@pytest.fixture(scope="module")
def art() -> KeywordTagger:
    return KeywordTagger(parse_rules(ART))


@pytest.mark.parametrize("text", ["孩子有点发烧，明天就不过去了", "周末要去姥姥家，不去画画了",
                                  "下午有考试，不去上课了"])
def test_not_going_is_not_coming(art: KeywordTagger, text: str) -> None:
    assert tags(art, text) == {"课程:请假"}


@pytest.mark.parametrize("text", ["周六想过去看看孩子们画画", "什么时候方便来画室参观"])
def test_going_over_is_coming(art: KeywordTagger, text: str) -> None:
    assert tags(art, text) == {"意向:参观"}


def test_going_anywhere_is_no_motion_to_the_business() -> None:
    assert motions_swapped(["去画室"]) == {"来画室": "去画室"}  # 来 is always toward the business
    assert "去医院" not in motions_swapped(["来医院"])
    assert "想去" not in motions_swapped(["想来"])
    assert motions_swapped(["出来", "回去", "本来"]) == {}


def test_a_call_off_hears_its_goal_between() -> None:
    assert motions_swapped(["不来了"]) == {"不去了": "不来了", "不来*了": "不来了", "不去*了": "不来了"}
