"""More of the shipped groups' ways of saying their concepts (bot/tagging/concepts.py): a finish fitted askew
or leaving a gap (瑕疵), air leaking (故障), goods crushed out of shape (损坏), not what was shown or chosen
(丢失: 跟效果图差太多, read as the segmenter cuts it), nothing seen of a delivery yet (催单: 没影), an order
named by the item chosen and an order moved (下单), any count bought for some free (价格). The rules are a
cabinet maker's, a trade no development set has, written as an operator would."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

CABINETS = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:下单"
keywords = ["下单", "想订", "定做"]
exclude = ["取消"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "优惠"]

[[keyword]]
tag = "配送:催单"
keywords = ["到哪了", "催一下"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised"]

[[keyword]]
tag = "售后:质量"
keywords = ["划痕", "掉漆", "变形", "漏水"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def cabinets() -> KeywordTagger:
    return KeywordTagger(parse_rules(CABINETS))


@pytest.mark.parametrize(("text", "tag"), [
    ("吊柜门挂歪了", "售后:质量"),
    ("台面和墙之间有道缝", "售后:质量"),
    ("水槽下面的柜子一直漏气", "售后:质量"),
    ("柜体运过来已经不成样子了", "售后:质量"),
    ("做出来的颜色跟样板间差太多", "售后:质量"),
    ("柜门的木纹和我选的完全不一样", "售后:质量"),
    ("约好周一送货，现在还没影", "配送:催单"),
    ("就要这款胡桃木的", "意向:下单"),
    ("下周二的安装能改到周四吗", "意向:下单"),
    ("现在买两送一吗", "关注:价格"),
])
def test_the_groups_other_words_are_heard(cabinets: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(cabinets, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("柜门装得很正，一点都不歪", "售后:质量"),
    ("你们的板材跟别家的有什么不一样", "售后:质量"),
    ("这款和那款哪个更耐用", "意向:下单"),
])
def test_what_only_looks_like_them(cabinets: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(cabinets, text)
