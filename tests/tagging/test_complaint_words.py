"""Complaint words an operator's 投诉/不满意 rule hears from the 投诉 group (bot/tagging/concepts.py): anger
(生气, 气死), an explanation or responsibility demanded (怎么解释, 负责一下), a business that plays dead (装死),
disrespect (不尊重), scorn of what was sold (什么质量, 什么破…) and 不靠谱/不像话. The rules are a bicycle
shop's, a trade no development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

BIKE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "不满意", "态度差"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(BIKE_SHOP))


@pytest.mark.parametrize("text", [
    "链条调了三次还是掉，我真的很生气",
    "刚买的车架有裂纹，你们得给个解释",
    "车子是在你们店里摔的，你们要负责",
    "付完款客服就装死了",
    "店员说我不懂车，太不尊重人了",
    "骑了两次辐条就断了，卖的什么破车",
    "说好周三修好，拖到现在，太不靠谱了",
])
def test_a_complaint_without_the_operators_words(shop: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "别生气，我就是问问保养多少钱",        # no complaint made
    "你们负责上门安装吗",                  # who does the job, asked
])
def test_no_complaint(shop: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(shop, text)


@pytest.mark.parametrize("text", ["别再写错取车时间了", "下回不要再漏装车铃了"])
def test_a_fault_demanded_not_to_recur_complains(shop: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(shop, text)


def test_a_small_favour_asked_complains_of_nothing(shop: KeywordTagger) -> None:
    assert "诉求:投诉" not in tags(shop, "别再写错门牌号就行，别的都好")
