"""A clause with no subject of its own (…，也想来试试) goes on with the previous clause's: someone else's wish."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["我同事看我皮肤变好了，也想来试试，怎么弄", "我表姐看了我的照片，也想过来做一次"])
def test_someone_elses_wish_going_on_is_a_referral(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"意向:转介绍"}


def test_the_customers_own_clause_still_books(tagger: KeywordTagger) -> None:
    assert "意向:预约" in tags(tagger, "我皮肤最近干得厉害，周六想过来做个补水")


@pytest.mark.parametrize(("text", "expected"), [
    ("介绍给我表姐了，她想约下周二的面诊", set()),  # 她 is the cousin: her booking, no one the customer makes
    ("我女儿放假了，她想约周六来做个祛痘", {"意向:预约"}),  # the customer's child is no one else
])
def test_a_pronoun_after_someone_else_wishes_for_them(unchecked: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(unchecked, text) & {"意向:预约"} == expected
