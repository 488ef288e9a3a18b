"""A count in a keyword between a verb and a measure (订两张, 要一杯, 开一条道) is an example: any other count
is heard as well (订四张, 要三杯, 开两条道). The rules are a bowling alley's and a drinks stall's, trades no
development set has, written as an operator would."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import with_counts
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

BOWLING = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:订道"
keywords = ["订道", "开一条道", "留两个位"]

[[keyword]]
tag = "意向:下单"
keywords = ["要一杯", "来两份"]

[[keyword]]
tag = "项目:套餐"
keywords = ["三人套餐"]
negatable = false

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def bowling() -> KeywordTagger:
    return KeywordTagger(parse_rules(BOWLING))


@pytest.mark.parametrize(("text", "tag"), [
    ("周六晚上帮我开两条道", "意向:订道"),
    ("明天下午七点给我们留四个位", "意向:订道"),
    ("柠檬茶要三杯，少冰", "意向:下单"),
    ("薯条来一份，鸡翅来五份", "意向:下单"),
])
def test_another_count_is_heard(bowling: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(bowling, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("今晚不用开三条道了，人没凑齐", "意向:订道"),   # denied
    ("你们一般一次能开几条道", "意向:订道"),         # 几 asks how many, it is no count ordered
    ("上次那杯奶茶太甜了", "意向:下单"),             # a count with no verb of the keyword
])
def test_what_orders_nothing(bowling: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(bowling, text)


def test_the_forms_are_built_for_a_count_after_a_verb_only() -> None:
    forms = with_counts(["订两张", "三人套餐", "约一下", "第一次来", "订道", "几人本"])
    assert forms["订四张"] == "订两张" and forms["订一张"] == "订两张"
    assert "订几张" not in forms and "订两张" not in forms
    assert set(forms.values()) == {"订两张"}  # 约一下: 下 is no measure; a count that opens a keyword names a thing
