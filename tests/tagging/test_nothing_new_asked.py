"""Issue 11, precision: what was felt during a treatment, an arrangement checked, a mind not made up, a
booking left to someone else, the school's or the accounts' word and leave from school ask nothing of the
business now.

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
        # Felt while the treatment was done, in its clause or in the next when the clause says nothing else.
        ("打水光的时候有点疼", {"项目:水光针"}),
        ("做光子的时候，脸上火辣辣的", {"项目:光子嫩肤"}),
        # After the treatment it is a reaction.
        ("打完水光的时候就开始肿了", {"术后:不适", "项目:水光针"}),
        ("做的时候不疼，做完第二天脸肿了", {"术后:不适"}),
    ],
)
def test_felt_during_the_treatment_is_no_reaction(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


def test_an_operators_discomfort_rule_refuses_during_by_its_family() -> None:
    tagger = KeywordTagger(parse_rules('[[keyword]]\ntag = "理疗:不适"\nkeywords = ["疼", "肿", "痒"]\n'))
    assert tags(tagger, "按的时候有点疼，不过挺舒服") == set()
    assert tags(tagger, "按完以后腰一直疼") == {"理疗:不适"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An arrangement checked, a closing tag question allowed: nothing new booked.
        ("确认一下，周六上午十点的面诊对吧", set()),
        ("我那个号确认了，周三下午两点", set()),
        # Asked or wished beside it, a booking still is.
        ("确认一下周日还能约吗", {"意向:预约"}),
        ("帮我约周五的复查，确认了跟我说一声", {"意向:预约"}),
    ],
)
def test_an_arrangement_checked_books_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("方案我再想想，过两天回复你", set()),
        ("面诊的事我还没想好", set()),
        ("退费先不定，我等等看", set()),
    ],
)
def test_a_mind_not_made_up_defers(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Someone else books themselves, or is told to: no booking of the customer's.
        ("叫我妹自己过来预约", set()),
        ("我表姐说周末她自己约时间过来", set()),
    ],
)
def test_a_booking_left_to_someone_else_is_not_the_customers(plain: KeywordTagger, text: str,
                                                             expected: set[str]) -> None:
    assert tags(plain, text) == expected


def test_a_booking_made_for_someone_else_is_the_customers(plain: KeywordTagger) -> None:
    assert "意向:预约" in tags(plain, "帮我妹妹预约周六下午的面诊")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The accounts' or the school's word is reported; leave from school is no leave from the class.
        ("财务说退款下周一到账", set()),
        ("学校那边说要请假得提前一天", set()),
        ("孩子学校请了两天假，这边的课照常上", set()),
        # Leave from the class in the next clause still is.
        ("学校组织春游，周六的课请个假", {"课程:请假"}),
    ],
)
def test_the_schools_matters_are_not_the_class(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上个月的学费退回了，谢谢", set()),
        ("定金退回了吗", {"诉求:退款"}),
    ],
)
def test_money_back_received_asks_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A move made by others, asked about, moves nothing of the customer's.
        ("我那个号是不是被调到下午了", set()),
        ("我表姐的号好像被挪到周日了，她托我问一下", set()),
        # The customer's own move still books.
        ("周三的号能挪到周五吗", {"意向:预约"}),
    ],
)
def test_a_move_made_by_others_books_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Company told in a later clause of the sentence: no referral.
        ("我跟闺蜜一起来，我做光子，她就陪着", {"项目:光子嫩肤"}),
        # Someone who wants it too still is one.
        ("我和我妈一起过来，她也想做个水光", {"意向:转介绍", "项目:水光针"}),
    ],
)
def test_company_in_a_later_clause_is_no_referral(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # What stands is kept: nothing new booked.
        ("周六那个号还是按原计划", set()),
        ("下周的复查照旧", set()),
        # Asked beside it, a visit still books.
        ("照常营业吗，明天想过去做个补水", {"意向:预约"}),
    ],
)
def test_an_arrangement_kept_books_nothing(plain: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(plain, text) == expected
