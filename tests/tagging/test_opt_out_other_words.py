"""An opt-out said without the operator's words: news refused (上新不用告诉我), a reminder turned off with its noun
first (提醒能关掉吗), the customer's number taken off (把我手机号删了) and calls refused again (别再打了). Every
状态:退订 rule hears the 退订 group (bot/tagging/concepts.py). The rules are a bicycle shop's, a trade no
development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

BIKE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别再发"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(BIKE_SHOP))


@pytest.mark.parametrize("text", [
    "新车到店不用告诉我了",
    "骑行活动别再提醒我了",
    "你们的开团提醒怎么关掉",
    "公众号推送我不想要了",
    "麻烦把我的手机号从你们名单里删了",
    "一周三个推销电话，别再打了",
])
def test_an_opt_out_in_other_words(shop: KeywordTagger, text: str) -> None:
    assert "状态:退订" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "车修好了告诉我一声",                    # news wanted
    "保养到期了记得提醒我",
    "电话别打了，我在开会，有事发微信",      # another way of reaching the customer asked for
])
def test_no_opt_out(shop: KeywordTagger, text: str) -> None:
    assert "状态:退订" not in tags(shop, text)
