"""The 取消 group: a rule that names a cancellation (取消预约) hears what was arranged called off any way it is
said, the arrangement first or a visit called off; a leave rule of 不来了 does not get the group. Every sentence
is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]
exclude = ["取消"]

[[keyword]]
tag = "预约:变更"
keywords = ["改时间", "改期", "取消预约"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订", "取消订阅"]
'''


@pytest.fixture(scope="module")
def tagger() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize("text", ["周五下午的预约帮我取消掉吧", "明天那场我们取消了，抱歉", "取消周日上午的包间",
                                  "临时要加班，不来了", "家里老人住院，去不了了"])
def test_a_call_off_said_any_way_is_the_cancelling_rules(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"预约:变更"}


@pytest.mark.parametrize("text", ["公众号推送帮我取消一下", "玩得太憋屈了，再也不来了"])
def test_messages_stopped_or_a_vow_call_nothing_off(tagger: KeywordTagger, text: str) -> None:
    assert "预约:变更" not in tags(tagger, text)


def test_a_leave_rule_of_a_visit_called_off_hears_no_cancelled_booking() -> None:
    leave = KeywordTagger(parse_rules('[[keyword]]\ntag = "课程:请假"\nkeywords = ["请假", "不来了", "不去了"]\n'))
    assert tags(leave, "下周三那个预约取消吧") == set()
    assert tags(leave, "孩子发烧了，今天不来了") == {"课程:请假"}
