"""Issue 11, precision: a visit that keeps what stands (a class as usual, an exam, a booking already
made) is no new booking (the mood `attending`, bot/tagging/moods.py).

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A routine: the visit keeps a standing class.
        ("礼拜五孩子照常过来上", set()),
        ("周二晚上照旧六点半过去", set()),
        ("明早八点我们按时过去", set()),
        ("下礼拜还是老时间过来", set()),
        # The visit's purpose is to attend something, not a service booked.
        ("周日下午带孩子过去考试", set()),
        ("明天上午我过去参加开放日", set()),
        # A time that points back to an arrangement already made.
        ("之前约了礼拜四的，到时候我直接过来", set()),
        ("已经约好了周三下午，到时直接过去找前台", set()),
        # Bookings all the same: a new visit, a routine named in another clause.
        ("周四下午想过来做个补水", {"意向:预约"}),
        ("今天照常营业吗，下午想过去打水光", {"意向:预约", "项目:水光针"}),
        ("已经约了周一的，还想再约个周五的", {"意向:预约"}),
        ("到时候能不能帮我约个礼拜六上午的", {"意向:预约"}),
    ],
)
def test_attending_is_no_booking(unchecked: KeywordTagger, text: str, expected: set[str]) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert tags(unchecked, text) == expected


def test_operator_booking_rule_refuses_attending_and_widens_routine() -> None:
    """A booking rule with a word of the 预约 group refuses `attending` by default, and the routine
    words are operator data."""
    rules = parse_rules("""
[language]
routine = ["照常", "照例"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约", "到店"]
""")
    operator = KeywordTagger(rules)
    assert tags(operator, "周六照例十点到店") == set()
    assert tags(operator, "周六十点到店可以吗") == {"意向:预约"}
    assert tags(operator, "周六十点按时到店") == {"意向:预约"}  # 按时 is no longer a routine word here


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Someone taken to what stands: the customer brings the child, nothing new is booked.
        ("周四下课我爸直接送她过去", set()),
        ("下雨了，今晚我开车送过去", set()),
        ("礼拜天我送孩子过来，十点前到", set()),
        # The customer brought by someone: their own visit, still a booking.
        ("周日上午我老公送我过去，帮我约十点", {"意向:预约"}),
    ],
)
def test_someone_taken_there_is_no_booking(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected
