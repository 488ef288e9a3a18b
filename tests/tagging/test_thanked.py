"""Issue 11, precision: thanks for help given (谢谢你帮我抢到了位置) and a booking got (我约到了) tell what is done,
they book nothing (`done`, bot/tagging/moods.py and hit_moods.py); a thank-you before a request still books.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags

BOOKING = "意向:预约"


@pytest.mark.parametrize("text", [
    "多谢你帮我约好了周日上午的面诊",
    "好的谢谢你帮我抢到了下周二的号",
    "终于约上了，周四下午见",
    "我约到了，太好了",
])
def test_help_given_or_a_booking_got_books_nothing(plain: KeywordTagger, text: str) -> None:
    assert BOOKING not in tags(plain, text)


@pytest.mark.parametrize("text", [
    "谢谢，帮我约周日上午的面诊",
    "谢谢帮我约一下周四下午",
    "周日上午还能约到吗",
    "想约到这周六的，可以吗",
])
def test_a_request_after_thanks_still_books(plain: KeywordTagger, text: str) -> None:
    assert BOOKING in tags(plain, text)
