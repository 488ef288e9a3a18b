"""Issue 11, precision: what every negatable rule refuses whatever `not_mood` an operator's rule lists
(`NEGATABLE_NOT_MOOD` in bot/tagging/concepts.py): a plan given up (`reversed`), a thing named (`named`), someone
else's wish
(`third_party`, kept by a referral rule and an enquiry) and someone's words passed on and doubted (`doubted`,
kept by a price rule). Every sentence is new (written for these tests, not taken from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

_RENTALS = """
[[keyword]]
tag = "意向:租用"
keywords = ["租", "租一台", "回收"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled"]

[[keyword]]
tag = "咨询:型号"
keywords = ["型号", "参数"]
intent = true

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "贵"]

[[keyword]]
tag = "意向:转介绍"
keywords = ["介绍朋友", "朋友也想"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def rentals() -> KeywordTagger:
    return KeywordTagger(parse_rules(_RENTALS))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本来想租一台投影仪的，后来公司自己买了", set()),  # a plan given up
        ("回收政策我在公众号上看过了", set()),  # a thing named, the policy, not a trade-in
        ("我表哥也想租，回头让他自己找你们", {"意向:转介绍"}),  # someone else's wish: a referral, no rental of mine
        ("听别人说你们回收压价特别狠，是真的吗", set()),  # words passed on and doubted
        ("听说你们家挺贵的，真的假的", {"关注:价格"}),  # a price doubted is still a price concern
    ],
)
def test_an_operators_rule_refuses_what_wants_nothing_now(rentals: KeywordTagger, text: str,
                                                           expected: set[str]) -> None:
    assert tags(rentals, text) == expected


@pytest.mark.parametrize("text", ["想租一台投影仪，周六用", "本来就想租的，周六有货吗"])
def test_the_customers_own_wish_still_counts(rentals: KeywordTagger, text: str) -> None:
    assert "意向:租用" in tags(rentals, text)


def test_an_enquiry_is_one_whoever_wants_to_know(rentals: KeywordTagger) -> None:
    assert "咨询:型号" in tags(rentals, "我同事也想问问这台的参数")


def test_a_rule_that_wants_the_mood_keeps_it() -> None:
    rules = _RENTALS.replace('not_mood = ["hypothetical"', 'mood = ["reversed"]\nnot_mood = ["hypothetical"')
    assert tags(KeywordTagger(parse_rules(rules)), "本来想租一台投影仪的，后来公司自己买了") == {"意向:租用"}
