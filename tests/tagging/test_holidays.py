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
