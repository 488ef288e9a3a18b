"""Ways customers of many trades say an intent that an operator's few words miss: a return with no reason
asked (七天无理由) is no negation, and a state that stopped (已经不…了) is a reason to opt out, no matter
settled. The rules are a luggage shop's, a trade no development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

LUGGAGE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "退钱", "能退"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别再发"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(LUGGAGE_SHOP))


@pytest.mark.parametrize("text", [
    "拉杆箱颜色不太喜欢，七天无理由能退吗",
    "双肩包背着有点硌，支持无理由退款吧",
    "无条件退款是真的吗，买回去不合适能退吗",
])
def test_a_return_with_no_reason_asked_is_no_negation(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "不能无理由退吗",                        # the negator before it still denies
    "钱包过了七天就不能退了",
])
def test_a_refund_still_denied(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" not in tags(shop, text)


@pytest.mark.parametrize("text", [
    "我已经不出差了，新款旅行箱不用通知我",
    "孩子已经没在用书包了，以后活动不用告诉我",
])
def test_a_state_that_stopped_is_a_reason_to_opt_out(shop: KeywordTagger, text: str) -> None:
    assert "状态:退订" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "已经下单了，不用再打电话确认了",         # a matter done: nothing more needed
    "箱子已经寄回去了，不用再发地址了",
])
def test_a_matter_done_is_still_settled(shop: KeywordTagger, text: str) -> None:
    assert "状态:退订" not in tags(shop, text)
