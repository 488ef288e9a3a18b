"""The size to wear asked (the 尺码 group, bot/tagging/concepts.py): an operator's 尺码 hears which size to take
(拿几码, 穿多大), whether it fits (会不会紧, 穿得下, 扣得上) and the measures it is chosen by (腰围, 胸围, 版型). The
rules are a children's clothing shop's and a shoe shop's, trades no development set has."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "咨询:尺码"
keywords = ["尺码", "码数"]
intent = true

[[keyword]]
tag = "售后:质量"
keywords = ["坏了", "开线"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "deferred", "passed", "praised"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(SHOP))


@pytest.mark.parametrize("text", [
    "宝宝一岁半，九十公分，这件连体衣拿几码",
    "脚长二十三厘米，这双帆布鞋该穿多大呢",
    "这条背带裤腰围多少，孩子有点胖",
    "校服外套会不会紧，孩子肩膀宽",
    "平时穿37的，这款靴子偏小吗",
])
def test_a_size_asked_without_尺码(shop: KeywordTagger, text: str) -> None:
    assert "咨询:尺码" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "书包的拉链坏了，扣子也扣不上",          # a fault, no size asked
    "码数上次问过了，不用再发尺码表",
])
def test_what_asks_no_size(shop: KeywordTagger, text: str) -> None:
    assert "咨询:尺码" not in tags(shop, text)
