"""A booking asked as someone free or a place left at a time (下午有师傅吗, 周六还有位吗) or as the segmenter's one
word 能来 (明天能来吗): timed words of the 预约 group (bot/tagging/concepts.py), heard only with a time to come. The
rules are a bicycle shop's, a trade no development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

BIKE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约", "到店"]
exclude = ["取消"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(BIKE_SHOP))


@pytest.mark.parametrize("text", [
    "后天上午能来吗，变速有点卡",            # the segmenter's 能来
    "周日下午有师傅吗，想调一下变速",        # someone free at a time
    "这周六的骑行团还有位吗",                # a place left at a time
])
def test_a_booking_asked_by_availability_at_a_time(shop: KeywordTagger, text: str) -> None:
    assert "意向:预约" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "你们店里有师傅会修碳架吗",              # no time named
    "师傅上周来过了",                        # a time gone by
])
def test_no_time_to_come_books_nothing(shop: KeywordTagger, text: str) -> None:
    assert "意向:预约" not in tags(shop, text)
