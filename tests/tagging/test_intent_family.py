"""Booking, leave, course enquiry and referral, with the shipped rules and with an operator's plain ones."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# An operator's booking rule as docs/tagging.md shows it: a few literal words, nothing timed.
BOOKING = '''
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约", "到店"]
exclude = ["取消"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]
'''


def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(BOOKING))


@pytest.mark.parametrize("text", ["礼拜天上午能过来剪个头发吗", "后天下午能开过来做个打蜡吗",
                                  "明晚七点我带狗过去洗一下", "下周一有空吗，想去店里拍个全家福"])
def test_an_operators_booking_rule_hears_a_visit_at_a_time(text: str) -> None:
    assert tags(operator(), text) == {"意向:预约"}


@pytest.mark.parametrize("text", [
    "下午三点左右我过来拿衣服",        # an errand, not a visit booked
    "我爸明天过来，停车场在哪",        # someone else's visit
    "护士明天上午来看一下可以吗",      # the business's act
    "洗个车要多久",                    # no time named
])
def test_a_timed_word_that_books_nothing(text: str) -> None:
    assert tags(operator(), text) == set()


def test_booking_for_someone_else_at_their_time_is_still_a_booking() -> None:
    assert tags(operator(), "想帮我姐约个时间做护理，她周六上午有空") == {"意向:预约"}


def test_a_timed_word_without_its_time_hides_no_shorter_keyword() -> None:
    rules = BOOKING + '[[keyword]]\ntag = "项目:洗衣"\nkeywords = ["洗衣", "洗窗帘"]\nnegatable = false\n'
    assert tags(KeywordTagger(parse_rules(rules)), "窗帘能洗吗") == {"项目:洗衣"}
