"""Discomfort that is no reaction to the service, and a reaction not yet over: a condition held before
(`chronic`) or told as the reason to come (`remedy`, `visit_wishes`) is refused by a rule of the discomfort
family; a resolution denied or only begun (还没缓过来, 消了一些) has not passed. Sentences of the physio studio
(tests/data/physio_tags.toml, an operator's 理疗:不适 whose not_mood names no `chronic`) and the shipped rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import SHIPPED, tags

UNWELL = "理疗:不适"


@pytest.fixture(scope="module")
def physio() -> KeywordTagger:
    return KeywordTagger(load_rules(Path(__file__).resolve().parents[1] / "data" / "physio_tags.toml"))


@pytest.fixture(scope="module")
def shipped() -> KeywordTagger:
    return KeywordTagger(load_rules(SHIPPED))


@pytest.mark.parametrize("text", [
    "我肩膀疼了好多年了，针灸能缓解吗",          # held for years, a remedy asked
    "腰椎间盘突出，平时坐久了就疼，想约个推拿",    # 平时, and a visit wished
    "想约周六下午做个推拿，最近脖子疼得厉害",      # the reason to come
    "膝盖一直都疼，老毛病了，艾灸有用吗",
    "倒也不疼，就是有点累",                      # 倒也不: a negator the segmenter glued to its adverb
])
def test_a_condition_held_before_is_no_reaction(physio: KeywordTagger, text: str) -> None:
    assert UNWELL not in tags(physio, text)


@pytest.mark.parametrize("text", [
    "本来腰就不好，昨天推拿完更酸痛了",          # the clause that tells the treatment reports
    "灸完头晕，到现在还没缓过来",                # a resolution denied
    "肿还没完全消下去，都第三天了",
    "淤青是淡了一点，但是摸着还是疼",            # a resolution only begun
    "按完脖子那块有点酸，正常吗",
])
def test_a_reaction_still_there_is_reported(physio: KeywordTagger, text: str) -> None:
    assert UNWELL in tags(physio, text)


def test_a_resolution_that_is_complete_still_passes(physio: KeywordTagger) -> None:
    assert UNWELL not in tags(physio, "肿已经全消了，谢谢关心")


def test_the_shipped_rule_reads_partial_recovery(shipped: KeywordTagger) -> None:
    assert "术后:不适" in tags(shipped, "红肿是退了一些，可是摸着还是硬硬的")
    assert "术后:不适" not in tags(shipped, "淤青消得差不多了，不用担心")


def test_a_rule_that_wants_chronic_conditions_names_them() -> None:
    text = """
[[keyword]]
tag = "状态:退订"
keywords = ["退订"]

[[keyword]]
tag = "健康:症状"
keywords = ["疼", "肿", "痒"]
mood = ["chronic", "statement"]
"""
    tagger = KeywordTagger(parse_rules(text))
    assert "健康:症状" in tags(tagger, "我腰本来就疼")


@pytest.mark.parametrize("text", [
    "灸完肚子上烫出一块红印，现在还火辣辣的",   # a burn felt and left (疼, 伤)
    "就是灸完嗓子干得冒烟，一直想喝水",         # dry where it is felt (干)
])
def test_signs_said_the_ways_of_a_burn_and_a_dry_throat(physio: KeywordTagger, text: str) -> None:
    assert UNWELL in tags(physio, text)
