"""Issue 11, precision: a clause that opens with someone outside the customer's family (`[language] outsiders`:
朋友, 同事, 邻居, 隔壁…, or their home, 朋友家) and does not name the customer tells that person's own case
(`hearsay`): a rule that refuses hearsay does not take it for the customer's report. Every sentence is new
(written for these tests, not taken from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

_REPAIRS = """
[[keyword]]
tag = "售后:问题"
keywords = ["漏水", "坏了", "异响"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def repairs() -> KeywordTagger:
    return KeywordTagger(parse_rules(_REPAIRS))


@pytest.mark.parametrize("text", ["邻居家的热水器也漏水了，她让我问问你们", "我同事的空调坏了好几天，挺惨的",
                                  "隔壁家的洗衣机一直有异响"])
def test_someone_elses_case_is_not_the_customers_report(repairs: KeywordTagger, text: str) -> None:
    assert tags(repairs, text) == set()


@pytest.mark.parametrize("text", ["我家热水器也漏水了", "朋友来我家发现我的空调坏了", "热水器坏了，邻居帮忙看了一下"])
def test_the_customers_own_case_still_reports(repairs: KeywordTagger, text: str) -> None:
    assert tags(repairs, text) == {"售后:问题"}


def test_a_colleagues_reaction_is_no_discomfort_of_the_customers(tagger: KeywordTagger) -> None:
    assert "术后:不适" not in tags(tagger, "同事打完水光脸肿了好几天，我有点犹豫")
    assert "术后:不适" in tags(tagger, "我打完水光脸肿了好几天")
