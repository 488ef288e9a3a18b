"""Issue 11, precision: a complaint word that judges the customer's own is no complaint.

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
        ("儿子英语太差了，想找个老师补补", set()),
        ("我的耐受能力很差，打的时候能敷麻药吗", set()),
        ("女儿物理真差，愁死了", set()),
        # The business judged is a complaint all the same.
        ("你们的服务太差了", {"诉求:投诉"}),
        ("数学老师的态度很差", {"诉求:投诉"}),
    ],
)
def test_the_customers_own_judged_is_no_complaint(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


def test_an_operators_complaint_rule_refuses_it_and_the_list_is_operator_data() -> None:
    rule = '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉", "太差"]\n'
    assert tags(KeywordTagger(parse_rules(rule)), "孩子基础太差了") == set()  # brought by the 投诉 group
    custom = KeywordTagger(parse_rules('[language]\nself_judged = ["底子"]\n' + rule))
    assert tags(custom, "孩子基础太差了") == {"诉求:投诉"}
    assert tags(custom, "孩子底子太差了") == set()
