"""A swap (改成, 换成, 调成) moves an arrangement only to a time; to anything else it changes what was
arranged (`changed`), which a rule built on moves takes and a booking rule does not. Every sentence is new
(not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = '''
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]

[[keyword]]
tag = "订单:改签"
keywords = ["改签", "改时间", "换个时间"]
'''


@pytest.fixture(scope="module")
def tagger() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize("text", ["周四晚上那场能换成周五的吗", "下午两点的改成晚上八点行不行", "帮我调成明天上午那场"])
def test_a_swap_to_a_time_moves(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"订单:改签"}


@pytest.mark.parametrize("text", ["我们两个的座位能调成挨着的吗", "小厅能不能换成大一点的厅", "票能改成儿童票吗"])
def test_a_swap_to_something_else_is_the_moving_rules(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == {"订单:改签"}


@pytest.mark.parametrize("text", ["请柬的字体想改成楷体", "餐具能不能都换成玻璃的", "把桌布调成浅一点的颜色"])
def test_a_swap_to_something_else_books_nothing(text: str) -> None:
    booking = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:到店"\nkeywords = ["预约", "到店"]\n'))
    assert tags(booking, text) == set()


def test_a_swap_to_a_time_still_books_where_no_rule_takes_moves() -> None:
    booking = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:到店"\nkeywords = ["预约", "到店"]\n'))
    assert tags(booking, "周六上午的能换成周日下午吗") == {"意向:到店"}


@pytest.mark.parametrize("text", ["周六那场人数从八个改成七个，来得及吗", "能再多加两个人吗，同学也想玩",
                                  "我们这边少三个人，还能开吗", "临时有人来不了，人变少了"])
def test_a_party_changed_is_the_moving_rules(tagger: KeywordTagger, text: str) -> None:
    assert "订单:改签" in tags(tagger, text)


@pytest.mark.parametrize("text", ["三个人多少钱", "二十多个人能包场吗", "收到的箱子里少了两个配件"])
def test_a_party_named_or_parts_missing_change_nothing(tagger: KeywordTagger, text: str) -> None:
    assert "订单:改签" not in tags(tagger, text)
