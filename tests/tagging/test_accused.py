"""A complaint made against the customer (`accused`: 楼上投诉我们了, 被物业举报了, 顾客给我打了差评) is not the
customer's complaint; the customer complaining about the business still is. Every sentence is new (not from
tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import SHIPPED, rules_only, tags


@pytest.mark.parametrize("text", ["孩子晚上练琴，楼上又投诉我们了", "上周被物业举报了两回，想问问怎么办",
                                  "店里的客人给我打了个差评，想学学怎么沟通"])
def test_a_complaint_against_the_customer_is_none_of_theirs(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(tagger, text)


@pytest.mark.parametrize("text", ["我要投诉你们的前台", "再这样我就给差评了", "你们这样会被投诉的，太过分了"])
def test_the_customer_complaining_still_complains(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(tagger, text)


def test_an_operator_can_empty_the_lists() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    emptied = shipped + "\n[language]\naccusations = []\n"
    text = "孩子晚上练琴，楼上又投诉我们了"
    assert "诉求:投诉" not in tags(KeywordTagger(rules_only()), text)
    assert "诉求:投诉" in tags(KeywordTagger(rules_only(emptied)), text)


@pytest.mark.parametrize("text", ["隔壁邻居投诉我们家狗叫得太吵了", "楼下老是投诉我们装修太吵，怎么办"])
def test_the_accusers_judgement_weighs_no_cue(plain: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(plain, text)  # 太吵 is what the neighbour says of the customer


@pytest.mark.parametrize("text", ["阿姨为什么又没来真不负责", "老师怎么又没来上课，太不专业",
                                  "你们前台太凶了，我要投诉"])
def test_a_why_aimed_at_the_business_is_no_accusation_of_the_customer(plain: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(plain, text)
