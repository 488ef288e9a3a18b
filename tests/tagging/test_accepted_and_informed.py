"""Issue 11, precision: a price accepted or already found out is no price concern; a visit to pay books nothing.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import re

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RulesError, parse_rules
from tests.support.tagging import SHIPPED, tags



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Accepted, then another matter asked after a contrast.
        ("这个月卡的价钱我能接受，就是想知道早上几点开门", set()),
        ("套餐价我们能接受，那哪天可以开始做", set()),
        # Accepted in a later clause, which reaches back over its sentence.
        ("收费是高了点，不过效果摆在那，也还行", set()),
        ("报名费涨了我可以理解", set()),
        # Accepted in a clause with no keyword of its own, a piece apart.
        ("水光针的价位，我心里有数", {"项目:水光针"}),
        # After a contrast the reservation is the customer's concern.
        ("环境没问题，就是价格有点高", {"关注:价格"}),
        # Asked, or an amount asked in the sentence: still a price question.
        ("这个价格值不值", {"关注:价格"}),
        ("价格我能接受，有没有分期", {"关注:价格"}),
        ("价格还能接受，能再便宜点吗", {"关注:价格"}),
        ("不划算吧这个价", {"关注:价格"}),
    ],
)
def test_a_price_accepted_is_no_concern(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Judged lukewarm in a clause that asks nothing: that clause accepts what it names.
        ("学费还可以，老师也挺负责", set()),
        ("收费还行，就是离家有点远", set()),
        # Only that clause: a price named in the next one is still a concern, and a lukewarm question asks.
        ("效果一般，还收那么贵", {"关注:价格"}),
        ("价格还行，能再优惠点吗", {"关注:价格"}),
        ("学费还可以吗？", {"关注:价格"}),
    ],
)
def test_a_price_judged_lukewarm_is_no_concern(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) & {"关注:价格"} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你们光子的价钱我之前打听过了", {"项目:光子嫩肤"}),
        ("学费我早就问清楚了", set()),
        ("我对比过好几家的价格了", set()),
        # Asked in the clause, or in the next one: still a price question.
        ("之前问过的那个团购价还有吗", {"关注:价格"}),
        ("价格我查过了，能不能再优惠点", {"关注:价格"}),
    ],
)
def test_a_price_found_out_already_asks_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


def test_an_operators_price_rule_refuses_informed_by_its_group() -> None:
    tagger = KeywordTagger(parse_rules('[[keyword]]\ntag = "问价"\nkeywords = ["多少钱", "价格"]\n'))
    assert tags(tagger, "洗牙的价格我问过了") == set()
    assert tags(tagger, "洗牙什么价格") == {"问价"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A visit to pay or settle up books nothing, and a price agreed to asks none.
        ("行，就按你说的那个价，周日上午过去付款", set()),
        ("周五下班过去结账", set()),
        # A time accepted in its own clause still books.
        ("好的，那就周六下午三点过来", {"意向:预约"}),
    ],
)
def test_a_visit_to_pay_books_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("学费比去年贵了，能理解", "关注:价格"),
        ("价格贵了点我能理解，毕竟效果好", "关注:价格"),
        ("我的预约确认了，周五下午三点", "意向:预约"),
        ("周六上午十点的面诊我确认了", "意向:预约"),
        # someone else's word on a refund under way, and a refund told of someone else elsewhere
        ("退款那边客服说五个工作日到账，我再等等", "诉求:退款"),
        ("财务说退费月底前处理，我等着", "诉求:退款"),
        ("我闺蜜在别家退款退了两个月，还是你们靠谱", "诉求:退款"),
        # a refund put aside in its own clause: nothing asked of it now (set_aside)
        ("退钱那块先不说", "诉求:退款"),
        ("剩下课时退费的事不急", "诉求:退款"),
        ("退款的事另说", "诉求:退款"),
    ],
)
def test_the_check_adds_no_tag_the_rules_refused_decisively(text: str, refused: str) -> None:
    """[model] decisive: a rule refused in a decisive mood (accepted, done, reported...) is not added by the check."""
    shipped = SHIPPED.read_text(encoding="utf-8")
    checked = KeywordTagger(parse_rules(shipped, source=str(SHIPPED)))
    free_rules = re.sub(r"\ndecisive = \[[^]]*\]", "\ndecisive = []", shipped)
    free = KeywordTagger(parse_rules(free_rules, source=str(SHIPPED)))
    assert refused not in tags(checked, text)
    assert refused in tags(free, text)  # the model would add it


def test_a_decisive_mood_that_is_no_mood_is_a_rule_error() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    with pytest.raises(RulesError, match="decisive"):
        parse_rules(re.sub(r"\ndecisive = \[[^]]*\]", '\ndecisive = ["agreed"]', shipped), source=str(SHIPPED))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A price judged fair, in its clause or the next one: accepted.
        ("收费高是高了点，可老师的水平对得起这个价", set()),
        ("说实话你们的报价挺良心的", set()),
        ("问了一圈，还是你们家的价钱最公道", set()),
        # Told by the staff or compared already: found out.
        ("学费的事班主任已经跟我说清楚了", set()),
        ("套餐价格我跟别家都对比了，心里有底", set()),
        # Asked: still a price question.
        ("你们这个价格算公道吗", {"关注:价格"}),
        ("价格能不能讲清楚一点，到底多少钱", {"关注:价格"}),
    ],
)
def test_a_price_judged_fair_or_told_asks_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A mishap let go: no complaint.
        ("老师晚到五分钟不要紧，孩子在门口等着呢", set()),
        ("上课拖堂一会儿没关系的，我们不赶时间", set()),
        # Let go, then a contrast: the complaint after it stands.
        ("晚几分钟没关系，但是这态度太差了", {"诉求:投诉"}),
        # Asked, not let go.
        ("老是迟到你们觉得没关系吗", {"诉求:投诉"}),
    ],
)
def test_a_mishap_let_go_is_no_complaint(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected
