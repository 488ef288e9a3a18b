"""The ways a customer sends someone on that an operator's few referral words do not spell (bot/tagging/concepts.py,
the 转介绍 group): someone else's wish with any verb (表姐想配), the business passed on (微信推给她, 链接发到群里,
电话给了她), someone booked or asked for (帮我表姐订), a group that all want it (好几个同事都想来) and a customer
brought (介绍个客户). The rules are a bicycle shop's, a trade no development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

BIKE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:转介绍"
keywords = ["介绍朋友", "带*朋友", "推荐给"]

[[keyword]]
tag = "项目:公路车"
keywords = ["公路车"]
negatable = false

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(BIKE_SHOP))


@pytest.mark.parametrize("text", [
    "我表姐想换一辆公路车，周末过来看看",        # someone else's wish, whatever the verb
    "有个朋友想组一台山地车",
    "我把你们微信推给她了，她下午加你",          # the business passed on
    "已经把店里的链接转到骑行群了",
    "我把你们电话给了隔壁老张",
    "帮我同学订一辆周六的租车",                  # someone booked for
    "车队里好几个人都想换碟刹",                  # a group that all want it
    "想带我们车队的同事来试骑",                  # friends brought with a few words between
    "给你们介绍个客户，要买十台通勤车",          # a customer brought
])
def test_someone_sent_on_in_other_words_is_referred(shop: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "我男朋友想换一辆公路车",                    # a partner's wish is the household's
    "把你们的名片推给我一下",                    # the business sent to the customer
    "把你们的地址给我发一下",
    "上次你们帮我同学修的车又坏了",              # a job done for someone, no one sent on now
])
def test_the_customer_or_the_household_is_not_referred(shop: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" not in tags(shop, text)
