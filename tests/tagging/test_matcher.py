"""The matcher (matcher.py): what lies between an inverted object and its verb is no part of that
hit (another rule's words there count), and its shortcuts give what the full walk over the index gives."""

from __future__ import annotations

import json
from pathlib import Path

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import SHIPPED, tags

DATA = Path(__file__).resolve().parents[1] / "data"

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


GAPPED_RULES = """
[[keyword]]
tag = "意向:代办"
keywords = ["帮*预约", "帮*挂号"]
negatable = false
not_mood = []

[[keyword]]
tag = "意向:求助"
keywords = ["帮"]
negatable = false
not_mood = []
"""


def test_a_word_opening_plain_and_gapped_keywords_finds_each_where_it_is_said() -> None:
    tagger = KeywordTagger(parse_rules(GAPPED_RULES))
    assert tags(tagger, "帮我预约周六上午") == {"意向:代办", "意向:求助"}
    assert tags(tagger, "麻烦帮我挂号，谢谢") == {"意向:代办", "意向:求助"}
    assert tags(tagger, "帮我看看这个") == {"意向:求助"}
    assert tags(tagger, "预约周六，帮我看看") == {"意向:求助"}  # 预约 before 帮, not after it


def test_skipping_the_gapped_keywords_whose_parts_are_absent_changes_no_result() -> None:
    fast = KeywordTagger(load_rules(SHIPPED))
    full = KeywordTagger(load_rules(SHIPPED))
    full._gapped_runs = {}  # every gapped keyword tried in turn, as before the shortcut
    texts = [json.loads(line)["text"] for name in ("tagging_dev.jsonl", "tagging_dev2.jsonl")
             for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["帮我预约一下", "别再给我发消息了", "不要推送了，帮我取消", "给我发一下价格表"]
    for text in texts:
        assert fast.tag(text) == full.tag(text), text
