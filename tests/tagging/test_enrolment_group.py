"""Enrolling (the 报名 group, bot/tagging/concepts.py): an operator's 报名 hears the verb said alone with a modal
(还能报吗, 怎么报, 可以报) and a question whether they still take pupils (还招生吗), never a claim for money back
(医保能报吗, 单位可以报). The rules are a pottery studio's and a chess club's, trades no development set has."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

STUDIO = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:报名"
keywords = ["报名", "试课"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "学费"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def studio() -> KeywordTagger:
    return KeywordTagger(parse_rules(STUDIO))


@pytest.mark.parametrize("text", [
    "暑假的陶艺亲子班现在还能报吗",
    "周末的象棋班怎么报，孩子七岁",
    "零基础的成年人可以报吗",
    "你们秋季班还招生吗",
    "拉坯课还收人吗，我下班才有空",
])
def test_enrolling_said_without_报名(studio: KeywordTagger, text: str) -> None:
    assert "意向:报名" in tags(studio, text)


@pytest.mark.parametrize("text", [
    "学费开了发票，单位可以报吗",           # a claim for money back
    "上课受伤了，保险怎么报",
    "暑假班不报了，孩子要回老家",           # denied
    "上个月已经报名了，什么时候开课",       # done
])
def test_what_enrols_nobody(studio: KeywordTagger, text: str) -> None:
    assert "意向:报名" not in tags(studio, text)
