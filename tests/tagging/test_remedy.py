"""Issue 11, precision: a condition the customer asks a service to treat is no reaction to one.

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
        ("额头老是长痘，做光子有用吗", {"项目:光子嫩肤"}),
        ("我换季脸就干得起皮，水光能不能改善", {"项目:水光针"}),
        ("常年颈椎疼，你们这个能调理吗", set()),
        # After a treatment, asking for a fix still reports it.
        ("打完水光脸上起了好多小红点，能解决吗", {"术后:不适", "项目:水光针"}),
        ("做完热玛吉下巴一直疼，有什么办法", {"术后:不适", "项目:热玛吉"}),
        # Another sentence is another matter.
        ("脸肿得厉害。你们的修复能改善吗", {"术后:不适"}),
    ],
)
def test_a_condition_to_treat_is_no_reaction(unchecked: KeywordTagger, text: str, expected: set[str]) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert tags(unchecked, text) == expected


def test_remedy_words_are_operator_data() -> None:
    rule = '[[keyword]]\ntag = "售后:不适"\nkeywords = ["腰疼"]\nnot_mood = ["remedy"]\n'
    assert tags(KeywordTagger(parse_rules(rule)), "一直腰疼，你们的修复能解决吗") == set()
    custom = KeywordTagger(parse_rules('[language]\nremedy = ["管用"]\n' + rule))
    assert tags(custom, "一直腰疼，你们的修复能解决吗") == {"售后:不适"}
    assert tags(custom, "一直腰疼，你们的修复管用吗") == set()
