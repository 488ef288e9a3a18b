"""A rule's `timed` keywords: a service or visit verb books only beside a time to come.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.language import Language
from bot.tagging.rules import RulesError, parse_rules
from tests.support.tagging import tags

RULES = """
[[keyword]]
tag = "意向:预约"
keywords = ["预约"]
timed = ["过来", "做个", "有空", "空", "位置"]
"""


@pytest.fixture(scope="module")
def booking() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize(
    "text",
    [
        "礼拜三下午我过来",  # the customer's own plan, a day and a part of it
        "明晚八点能给我做个补水吗",  # a clock time (八点) asked
        "下周五有空吗",
        "周二上午还有位置不",  # A-not-A asks
        "后天有没有位置 想带我妈做个检查",  # the time is in another piece of the sentence
        "十点半做个清洁，麻烦了",
    ],
)
def test_a_verb_beside_a_time_to_come_books(booking: KeywordTagger, text: str) -> None:
    assert tags(booking, text) == {"意向:预约"}


@pytest.mark.parametrize(
    "text",
    [
        "有空吗",  # no time: a greeting, not a slot
        "他过来了",
        "昨天下午过来的时候没带卡",  # a time gone by
        "上周六做个清洁花了两百",
        "明天下午做个清洁的费用能开发票吗",  # 做个…的: what is named is a thing, not a plan
        "今天上午过来的",  # 的 right after it: done
        "周五还是周六过来着，我忘了",  # 来着: recalled, not planned
        "明天上午孩子过来",  # a statement about someone else: no question, no wish, no 我
        "好想来 可惜下周二腾不出空",  # negated by a token of its own (腾不出)
    ],
)
def test_without_a_time_to_come_or_a_plan_nothing(booking: KeywordTagger, text: str) -> None:
    assert tags(booking, text) == set()


def test_timed_keywords_are_no_plain_keywords_and_keep_the_segmentation() -> None:
    """A timed word is read as jieba cuts it: it does not pull its neighbours apart."""
    plain = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:预约"\nkeywords = ["过来做"]\n'))
    timed = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:预约"\nkeywords = ["过来做"]\ntimed = ["做个"]\n'))
    assert plain.tokens("我想过来做个光子") == timed.tokens("我想过来做个光子")
    assert tags(timed, "我想过来做个光子") == {"意向:预约"}


def test_the_time_lists_are_operator_data() -> None:
    rules = parse_rules(RULES + '[language]\ntimes = ["开学后"]\npast_times = ["去年"]\n')
    tagger = KeywordTagger(rules)
    assert tags(tagger, "开学后有空吗") == {"意向:预约"}
    assert tags(tagger, "明天有空吗") == set()  # 明天 is no longer in the list
    assert Language.build({"times": ["#点"]}).names_time("三点") is True


def test_timed_needs_a_vocab_that_exists() -> None:
    with pytest.raises(RulesError, match="timed"):
        parse_rules('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约"]\ntimed = ["{没有}"]\n')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下礼拜一傍晚能给我做个小气泡吗", {"意向:预约"}),
        ("周四放学后能带孩子过来测一下英语吗", {"意向:预约", "课程:咨询"}),
        ("明天早上还有空位吗", {"意向:预约"}),
        ("昨天下午过来做的光子 现在有点痒", {"术后:不适", "项目:光子嫩肤"}),
        ("现在做水光有什么优惠", {"关注:价格", "项目:水光针"}),  # 现在 times no visit
    ],
)
def test_the_shipped_booking_rule_reads_time(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("送快递的今天下午来了吗", set()),
    ("你们技术员明天早上到了没有，我在楼下等", set()),
    ("明天早上能过来吗", {"意向:预约"}),
])
def test_an_arrival_asked_books_nothing(text: str, expected: set[str]) -> None:
    rules = '[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约", "过来", "到店"]\n'
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected
