"""Someone else's child who wishes to come or learn (同事的儿子想学, 邻居家小孩打算来) is a referral with no
也 (`referring`, bot/tagging/hit_moods.py), and their visit no booking of the customer's (`third_party`)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import SHIPPED, tags
from tests.tagging.test_gapped_group_words import SCHOOL


@pytest.fixture(scope="module")
def school() -> KeywordTagger:
    return KeywordTagger(parse_rules(SCHOOL))


@pytest.mark.parametrize("text", [
    "我同事的儿子想学隶书",                  # someone else's child who wishes: no 也 needed
    "邻居家小孩打算暑假来练字",
    "我表姐家的女儿想报周末班",
])
def test_someone_elses_child_who_wishes_is_referred(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" in tags(school, text)


@pytest.mark.parametrize("text", [
    "我女儿想报周末班",                      # the customer's own child
    "同事的儿子在你们这练了一年",            # told, no wish
    "邻居家孩子写得比我家的好",
])
def test_a_child_of_ones_own_or_told_of_is_no_referral(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" not in tags(school, text)


def test_a_booking_of_someone_elses_child_is_theirs() -> None:
    shipped = KeywordTagger(load_rules(SHIPPED))
    assert tags(shipped, "我同事家的小孩想来试听") == {"意向:转介绍"}


@pytest.mark.parametrize("text", [
    "下次推荐几个同学过来",                  # friends sent on with a count between
    "想带两个闺蜜一起来练字",
    "我都介绍了好几个同事了",
])
def test_friends_sent_on_with_a_count_between_are_referred(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" in tags(school, text)


def test_a_thing_recommended_is_no_referral(school: KeywordTagger) -> None:
    assert "意向:转介绍" not in tags(school, "推荐的那个字帖朋友说挺好用")


def test_staff_changed_again_and_again_complain() -> None:
    shipped = KeywordTagger(load_rules(SHIPPED))
    assert "诉求:投诉" in tags(shipped, "这学期的数学老师换来换去，孩子跟不上")


@pytest.mark.parametrize("text", [
    "我同学也想练字，我让她直接联系你们",      # someone put in touch with the business
    "回头让他加你微信",
    "把你们的电话给我同事了",
])
def test_someone_put_in_touch_is_referred(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" in tags(school, text)


@pytest.mark.parametrize("text", ["你们让他联系我就行", "把你们的地址给我发一下"])
def test_the_business_contacting_the_customer_is_no_referral(school: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" not in tags(school, text)
