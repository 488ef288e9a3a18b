"""A keyword written with a gap names the concept group of its parts said together: an operator's 带*朋友 or
介绍*同学 is a referral rule as 带朋友 is, and hears the group's other people and ways (bot/tagging/concepts.py).
The rules are a calligraphy school's, a trade no development set has, written from docs/tagging.md's example."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import DEFAULT_CONCEPTS, groups_of
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

SCHOOL = """
exclusive_groups = ["状态"]

[vocab]
"亲友" = ["朋友", "同学"]

[[keyword]]
tag = "意向:试课"
keywords = ["试课", "预约"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "意向:转介绍"
keywords = ["{亲友}也想来", "带*朋友"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def school() -> KeywordTagger:
    return KeywordTagger(parse_rules(SCHOOL))


def test_a_gapped_keyword_names_the_group_of_its_parts_joined() -> None:
    assert groups_of(["带*朋友"], DEFAULT_CONCEPTS) == ["转介绍"]
    assert groups_of(["别*再*推"], DEFAULT_CONCEPTS) == []  # 别再推 is no word of a group


@pytest.mark.parametrize("text", [
    "我外婆也想来练毛笔字",                  # kin the operator's 亲友 does not list
    "隔壁邻居也想让孩子学硬笔",
    "我把你们推荐给我表妹了",
    "我同事的女儿也想报名",
])
def test_the_groups_people_are_referred(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" in tags(school, text)


@pytest.mark.parametrize("text", [
    "我是朋友介绍过来的",                   # the customer referred, not referring
    "我老公陪我一起过来",                   # company, no referral
    "邻居说你们老师教得好",
])
def test_what_is_no_referral(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" not in tags(school, text)


def test_expand_false_keeps_the_operators_words() -> None:
    tagger = KeywordTagger(parse_rules(SCHOOL.replace('"带*朋友"]', '"带*朋友"]\nexpand = false')))
    assert "意向:转介绍" not in tags(tagger, "我外婆也想来练毛笔字")
    assert "意向:转介绍" in tags(tagger, "我同学也想来")
