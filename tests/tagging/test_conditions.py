"""A condition on the business's state (还有位置的话, 在的话, 不多的话) leaves a visit wished."""

from __future__ import annotations

import pytest

from bot.tagging.conditions import conditions, on_availability
from bot.tagging.keywords import KeywordTagger
from bot.tagging.language import Language
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# An operator's booking rule that refuses hypotheticals, as docs/tagging.md shows it.
BOOKING = '''
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约", "到店", "过来", "过去"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]
'''


@pytest.mark.parametrize("text", [
    "礼拜六要是还有空位的话，我想过去做个光子",
    "李医生明天在吗？在的话我上午过去",
    "下午人多不多？不多的话我下班就过去",
    "如果周四还约得上，我就请假过去复查",
    "这周能排上周日的话，我带孩子过去",
])
def test_a_visit_on_the_business_availability_is_a_booking(tagger: KeywordTagger, text: str) -> None:
    assert "意向:预约" in tags(tagger, text)


@pytest.mark.parametrize("text", [
    "如果下周不加班我就过去看看",        # the customer's own life: a real hypothetical
    "要是恢复得好的话下个月再过去补一次",
    "没有位置的话我就不过去了",          # denied
    "孩子在的话我就过去",                # 在 alone is anyone's, not an answer to a question
    "万一做完过敏了怎么办",
])
def test_a_condition_on_the_customer_still_supposes(tagger: KeywordTagger, text: str) -> None:
    assert "意向:预约" not in tags(tagger, text)


def test_an_operators_rule_hears_the_same() -> None:
    operator = KeywordTagger(parse_rules(BOOKING))
    assert tags(operator, "明天下午师傅在吗？在的话我四点过去") == {"意向:预约"}
    assert tags(operator, "如果明天不下雨我就过去") == set()


def test_an_empty_availability_list_turns_it_off() -> None:
    off = KeywordTagger(parse_rules(BOOKING + '\n[language]\navailability = []\n'))
    assert tags(off, "明天下午师傅在吗？在的话我四点过去") == set()


def test_the_conditions_of_a_clause() -> None:
    language = Language.build()
    text = "周日要是还有位置的话我就过去"
    markers = language.markers(text, frozenset(range(len(text) + 1)))
    assert conditions(text, markers) == ["还有位置"]
    text = "如果今天还有空位我现在就过去"
    markers = language.markers(text, frozenset(range(len(text) + 1)))
    assert conditions(text, markers) == ["今天还有空位"]


@pytest.mark.parametrize(("condition", "available"), [
    ("还有位置", True), ("能约上周六", True), ("在", True), ("王医生在", True), ("不多", True),
    ("没有位置", False), ("孩子在", False), ("下周不忙", False), ("效果好", False),
])
def test_on_availability(condition: str, available: bool) -> None:
    language = Language.build()
    words = language.words
    assert on_availability(condition, words["availability"], words["staff"], language.only_times) is available


@pytest.mark.parametrize(("text", "tag"), [
    ("这学期报名的话，几号开始上课", "课程:咨询"),
    ("现在报班的话能赶上第一节吗", "课程:咨询"),
    ("周六预约的话要提前几天说", "意向:预约"),
])
def test_the_act_supposed_before_a_question_is_its_premise(tagger: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(tagger, text)


@pytest.mark.parametrize("text", ["如果报名的话我就让孩子来", "要是预约满了怎么办"])
def test_a_premise_needs_a_question_and_nothing_else(tagger: KeywordTagger, text: str) -> None:
    assert not tags(tagger, text) & {"课程:咨询", "意向:预约"}
