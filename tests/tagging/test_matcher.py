"""What lies between an inverted object and its verb is no part of that hit: another rule's words there count."""

from __future__ import annotations

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "意向:预约"
keywords = ["想过来", "预约"]

[[keyword]]
tag = "项目:保养"
keywords = ["换机油"]
negatable = false
'''


def test_a_keyword_between_an_inverted_object_and_its_verb_counts() -> None:
    tagger = KeywordTagger(parse_rules(RULES))
    assert tags(tagger, "机油下周想过来换") == {"意向:预约", "项目:保养"}


def test_the_object_of_an_inverted_hit_is_no_hit_of_its_own(tagger: KeywordTagger) -> None:
    assert "课程:咨询" not in tags(tagger, "上周缺的两节课能补吗")  # 节课 is 补课's object
    assert "意向:预约" in tags(tagger, "下周末想过来补打一点玻尿酸")
