"""Issue 11, precision: someone's words passed on and then doubted (听别的家长说…，不会是真的吧) are no complaint of
the customer's (`doubted`, bot/tagging/moods.py); passed on and endorsed, they still are.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags

COMPLAINT = "诉求:投诉"


@pytest.mark.parametrize("text", [
    "听群里家长说你们老师上课老看手机，真的假的",
    "邻居说你们前台态度特别差，是真的吗",
])
def test_words_passed_on_and_doubted_are_no_complaint(plain: KeywordTagger, text: str) -> None:
    assert COMPLAINT not in tags(plain, text)


def test_a_price_question_beside_it_yields_too(plain: KeywordTagger) -> None:
    # The clause is about the rumoured complaint, not a price asked.
    assert tags(plain, "朋友说你们收费很坑，真的假的") == set()


@pytest.mark.parametrize("text", [
    "听其他家长说你们老师上课老看手机，我看了监控确实是这样，太不负责了",
    "听同事说你们退费特别慢，我也遇到了，拖了一个月了，太过分了",
])
def test_a_complaint_asserted_stays(plain: KeywordTagger, text: str) -> None:
    assert COMPLAINT in tags(plain, text)
