"""A holiday is a time to come: a visit asked for it books (国庆那几天能过来做吗)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["春节前几天能过来做个水光吗", "端午放假那天可以过去做吗"])
def test_a_visit_on_a_holiday_books(tagger: KeywordTagger, text: str) -> None:
    assert "意向:预约" in tags(tagger, text)


def test_a_holiday_alone_books_nothing(tagger: KeywordTagger) -> None:
    assert "意向:预约" not in tags(tagger, "中秋你们放几天假")


def test_a_visit_asked_both_ways_at_a_time_books(tagger: KeywordTagger) -> None:
    assert "意向:预约" in tags(tagger, "元旦那几天能不能做水光？我正好休假")
    assert "意向:预约" in tags(tagger, "礼拜六能不能做个光子")


def test_the_last_part_of_a_gapped_keyword_is_asked_both_ways() -> None:
    from bot.tagging.concepts import asked_both_ways
    assert asked_both_ways(["周六*能做", "能退"]) == {"周六*能不能做": "周六*能做", "能不能退": "能退"}
