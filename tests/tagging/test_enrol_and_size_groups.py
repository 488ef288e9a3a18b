"""Two shared groups (bot/tagging/concepts.py): enrolling (报名: 还能报吗, 怎么报, 可以报, 还招生吗; never a claim
for money back, 医保能报吗, 单位可以报) and the size to wear asked (尺码: 拿几码, 穿多大, 会不会紧, 腰围, 版型).
The rules are a children's martial-arts school's that also sells its uniforms and shoes, a trade no development
set has."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

SCHOOL = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:报名"
keywords = ["报名", "试课"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "咨询:尺码"
keywords = ["尺码", "码数"]
intent = true

[[keyword]]
tag = "售后:质量"
keywords = ["坏了", "开线"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "deferred", "passed", "praised"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "学费"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def school() -> KeywordTagger:
    return KeywordTagger(parse_rules(SCHOOL))


@pytest.mark.parametrize(("text", "tag"), [
    ("暑假的少儿武术班现在还能报吗", "意向:报名"),
    ("周末的散打班怎么报，孩子七岁", "意向:报名"),
    ("零基础的成年人可以报吗", "意向:报名"),
    ("你们秋季班还招生吗", "意向:报名"),
    ("太极班还收人吗，我下班才有空", "意向:报名"),
    ("孩子一米二，练功服拿几码", "咨询:尺码"),
    ("脚长二十三厘米，这双功夫鞋该穿多大呢", "咨询:尺码"),
    ("这条灯笼裤腰围多少，孩子有点胖", "咨询:尺码"),
    ("道服会不会紧，孩子肩膀宽", "咨询:尺码"),
    ("平时穿37的，这款鞋偏小吗", "咨询:尺码"),
])
def test_the_groups_words_said_without_the_rules_own(school: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(school, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("学费开了发票，单位可以报吗", "意向:报名"),          # a claim for money back
    ("上课受伤了，保险怎么报", "意向:报名"),
    ("暑假班不报了，孩子要回老家", "意向:报名"),          # denied
    ("上个月已经报名了，什么时候开课", "意向:报名"),      # done
    ("护具的绑带坏了，扣子也扣不上", "咨询:尺码"),        # a fault, no size asked
    ("码数上次问过了，不用再发尺码表", "咨询:尺码"),
])
def test_what_the_groups_do_not_hear(school: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(school, text)
