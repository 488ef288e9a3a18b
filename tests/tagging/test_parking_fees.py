"""Issue 11, precision: the shipped 关注:价格 asks no price where the fee asked is the parking's (停车, 车位).

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize(("text", "expected"), [
    ("你们楼下停车收费吗", set()),
    ("车位是免费的吗，我开车过去", set()),
    # The price asked in another clause is still a price question.
    ("停车方便吗，水光针现在什么价", {"关注:价格", "项目:水光针"}),
])
def test_a_parking_fee_is_no_price_question(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    # The rules alone: the learned check may still add a price to 停车收费吗 (an exclude word is not decisive for it).
    assert tags(plain, text) == expected
