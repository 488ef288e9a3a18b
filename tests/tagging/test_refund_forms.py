"""Money asked back with a bare 退 after the money named (定金退我, 押金退了吧) or a share of it (退一半, 退一笔): the
退款 group hears them for any refund rule (bot/tagging/concepts.py). The rules are a bicycle shop's, a trade no
development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

BIKE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "退钱"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "hearsay"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(BIKE_SHOP))


@pytest.mark.parametrize("text", [
    "租车的押金退我吧，车已经还了",
    "变速一直调不好，保养费退了吧",
    "赛事报名取消了，报名费必须退",
    "头盔有划痕，钱退一半行不行",
    "扣了两次，退一笔给我",
])
def test_money_asked_back_with_a_bare_refund_verb(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "不退了，车我留着骑",                    # no refund wanted any more
    "听说你们的定金一般不退？",
])
def test_no_refund_asked(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" not in tags(shop, text)
