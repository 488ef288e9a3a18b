"""The 迟到 concept group: a rule about running late hears the ways of saying it (晚*分钟, 会晚, 有点堵) and, being
a RIVALS pair with 请假, not leave (来不了) through a word the two share.
Every sentence is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "到店:迟到"
keywords = ["迟到", "晚到", "晚点到", "堵车", "赶不上"]

[[keyword]]
tag = "课程:请假"
keywords = ["请假", "调课"]
'''


@pytest.fixture(scope="module")
def late() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize("text", ["高架上有点堵，估计晚二十分钟", "我这边可能会晚一些，先跟你们说一声",
                                  "出门晚了，要晚个十来分钟"])
def test_running_late_said_another_way(late: KeywordTagger, text: str) -> None:
    assert "到店:迟到" in tags(late, text)


@pytest.mark.parametrize("alone", [False, True])
@pytest.mark.parametrize("text", ["周日那节我们来不了了", "孩子发烧，明天去不了"])
def test_not_coming_at_all_is_no_lateness(late: KeywordTagger, text: str, alone: bool) -> None:
    """Not even when the lateness rule is the file's only rule, with 赶不上 of the 请假 group among its words."""
    tagger = KeywordTagger(parse_rules(RULES.split("[[keyword]]\ntag = \"课程:请假\"")[0])) if alone else late
    assert "到店:迟到" not in tags(tagger, text)
