"""Issue 11, precision: a matter the keyword names told carried through (`passed`): a result that closes the
keyword's clause with 了 (退款到了, 座位我选好了, 换货已经寄回来了) acknowledges, it asks nothing. Asked, denied
or still to come, it is still wanted. Every sentence is new (written for these tests, not taken from
tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

_SHOP = """
[[keyword]]
tag = "物流:催单"
keywords = ["快递", "发货", "到哪了"]
not_mood = ["hypothetical", "deferred", "passed", "praised", "settled"]

[[keyword]]
tag = "会员:续卡"
keywords = ["续卡", "会员卡"]
not_mood = ["hypothetical", "deferred", "passed", "praised", "settled"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(_SHOP))


@pytest.mark.parametrize("text", ["快递今天下午到了，东西都挺好", "快递我已经收到了，辛苦",
                                  "会员卡昨天办好了，谢谢小张", "快递寄回来了啊"])
def test_a_matter_carried_through_asks_nothing(shop: KeywordTagger, text: str) -> None:
    assert tags(shop, text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("快递到了吗", {"物流:催单"}),  # asked
        ("快递怎么还没到", {"物流:催单"}),  # denied
        ("快递快到了吧，等好久了", {"物流:催单"}),  # still to come
        ("快递压在柜子上了", {"物流:催单"}),  # a place, no result of a verb
    ],
)
def test_asked_denied_or_to_come_is_still_wanted(shop: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(shop, text) == expected


def test_money_back_received_is_no_refund(tagger: KeywordTagger) -> None:
    assert "诉求:退款" not in tags(tagger, "学费的退款今天到了，辛苦老师")
    assert "诉求:退款" in tags(tagger, "退款什么时候能到")
