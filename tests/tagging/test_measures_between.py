"""A keyword that opens with 有 and names a thing (有裂纹, 有异味) heard with a measure or a count between,
`[language] measures` (有条裂纹, 有股异味, 有几处水印), and goods short by a count the segmenter glues to its
measure (少了/一个, 少了/两根: the 丢失 group). The rules are a luggage repair shop's, a trade no development set
has, written as an operator would."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import with_measures
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

LUGGAGE = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "售后:问题"
keywords = ["有裂缝", "有异响", "有污渍", "少了配件"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised"]

[[keyword]]
tag = "意向:维修"
keywords = ["修箱子", "换轮子", "预约"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def luggage() -> KeywordTagger:
    return KeywordTagger(parse_rules(LUGGAGE))


@pytest.mark.parametrize("text", [
    "修好的箱子侧面有条裂缝",
    "拉杆拉起来有点异响",
    "箱子里面有几块污渍",
    "寄回来的箱子少了一个轮子",
    "配件袋里少了两根螺丝",
])
def test_a_measure_or_a_count_between_is_heard(luggage: KeywordTagger, text: str) -> None:
    assert "售后:问题" in tags(luggage, text)


@pytest.mark.parametrize("text", [
    "箱子一点裂缝都没有",                   # denied
    "拉杆有没有异响？",                     # asked: the rule refuses a question
    "有个问题想问，你们能换轮子吗",         # 有个 names no thing of the rule
])
def test_what_is_no_report(luggage: KeywordTagger, text: str) -> None:
    assert "售后:问题" not in tags(luggage, text)


def test_the_forms_are_built_for_有_and_a_thing_only() -> None:
    forms = with_measures(["有裂缝", "有送", "有没有活动", "裂缝"], ["条", "几处"])
    assert forms == {"有条裂缝": "有裂缝", "有几处裂缝": "有裂缝"}


def test_measures_are_operator_data() -> None:
    # 豁口, a word of no shipped group (裂缝 is one of 损坏's, heard with any measure)
    rules = LUGGAGE.replace('"有裂缝"', '"有豁口"') + '\n[language]\nmeasures = ["道"]\n'
    tagger = KeywordTagger(parse_rules(rules))
    assert "售后:问题" not in tags(tagger, "修好的箱子侧面有条豁口")
    assert "售后:问题" in tags(tagger, "修好的箱子侧面有道豁口")
