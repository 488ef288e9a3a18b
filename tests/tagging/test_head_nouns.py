"""A topic's or an enquiry's kinds name one thing, which a customer says alone (`head_nouns` in concepts.py)."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import head_nouns
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# A tea house's enquiry about its teas and a topic of its ware, each written as kinds.
TEAS = '''
[[keyword]]
tag = "咨询:茶品"
keywords = ["绿茶", "红茶", "乌龙茶", "白茶"]
intent = true

[[keyword]]
tag = "项目:茶具"
keywords = ["紫砂壶", "玻璃壶", "陶壶"]
negatable = false
'''


@pytest.fixture(scope="module")
def teahouse() -> KeywordTagger:
    return KeywordTagger(parse_rules(TEAS))


@pytest.mark.parametrize("text", ["你们家什么茶适合送长辈", "有没有适合新手喝的茶推荐", "这款茶能泡几次"])
def test_the_thing_the_kinds_name_is_asked_about(teahouse: KeywordTagger, text: str) -> None:
    assert tags(teahouse, text) == {"咨询:茶品"}


def test_the_thing_named_without_asking_is_no_enquiry(teahouse: KeywordTagger) -> None:
    assert tags(teahouse, "上次买的茶喝完了，味道很好") == set()


def test_a_topic_s_thing_said_alone_names_the_topic(teahouse: KeywordTagger) -> None:
    assert tags(teahouse, "那把壶的盖子有点松") == {"项目:茶具"}


def test_what_is_no_kind_gives_no_head() -> None:
    assert head_nouns(["沙发", "布艺沙发", "真皮沙发"]) == {}  # the head is a keyword itself
    assert head_nouns(["哪个老师", "什么老师", "换老师"]) == {}  # a question's, not kinds
    assert head_nouns(["剪毛", "修毛", "剃毛"], ["剪", "修", "剃"]) == {}  # a verb's object
    assert head_nouns(["补牙", "蛀牙", "补的牙"]) == {}  # 的 before: no kind
    assert head_nouns(["剧本", "新本", "几人本"]) == {"本": "剧本"}
    assert head_nouns(["电钢琴", "立式钢琴", "三角钢琴"]) == {"钢琴": "电钢琴"}


def test_a_head_several_rules_close_with_is_nobody_s() -> None:
    drinks = KeywordTagger(parse_rules(TEAS.replace('["紫砂壶", "玻璃壶", "陶壶"]', '["奶茶", "果茶", "柠檬茶"]')))
    assert tags(drinks, "你们家什么茶适合送长辈") == set()


def test_expand_false_keeps_the_kinds_as_written() -> None:
    written = KeywordTagger(parse_rules(TEAS.replace("intent = true", "intent = true\nexpand = false")))
    assert tags(written, "你们家什么茶适合送长辈") == set()
