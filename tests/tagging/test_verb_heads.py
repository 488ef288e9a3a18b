"""A keyword's verb said alone (`KeywordRule.heads`): an operator writes 推拿, 按摩 and 按一下, 艾灸 and
隔姜灸, 续卡 and 续费; customers write 「按完舒服多了」, 「灸过以后暖和多了」, 「年卡怎么续」. Sentences of
the physio studio (tests/data/physio_tags.toml) and of a nail salon (tests/data/nail_tags.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tagging.concepts import head_verbs
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import tags

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def physio() -> KeywordTagger:
    return KeywordTagger(load_rules(DATA / "physio_tags.toml"))


@pytest.fixture(scope="module")
def nail() -> KeywordTagger:
    return KeywordTagger(load_rules(DATA / "nail_tags.toml"))


def test_the_verbs_a_rule_is_built_on() -> None:
    verbs, light = ("按", "灸", "扎", "做", "洗", "清洗"), ("做",)
    assert head_verbs(["推拿", "按摩", "按一下"], verbs, light, topic=True) == {"按": ["按摩", "按一下"]}
    assert head_verbs(["艾灸", "隔姜灸", "督脉灸"], verbs, light, topic=True) == {"灸": ["艾灸", "隔姜灸", "督脉灸"]}
    assert head_verbs(["艾灸"], verbs, light, topic=False) == {}          # only a topic's verb closes a keyword
    assert head_verbs(["做指甲"], verbs, light, topic=True) == {}         # 做 is said of everything
    assert head_verbs(["清洗空调", "空调清洗"], verbs, light, topic=True) == {}  # built on 清洗, not 洗


@pytest.mark.parametrize(("text", "tag"), [
    ("上回按完肩膀松快了不少", "项目:推拿"),
    ("李师傅按得比王师傅到位", "项目:推拿"),
    ("按的时候能不能轻点", "项目:推拿"),
    ("下次还找张师傅按", "项目:推拿"),          # the verb closing its clause
    ("这边再按按", "项目:推拿"),
    ("昨天灸过以后手脚暖和多了", "项目:艾灸"),    # 灸 of 艾灸 and 隔姜灸, not of 针灸
    ("扎了三次针，失眠好一些了", "项目:针灸"),    # 扎针 split by its aspect and count
    ("会员卡快到期了，能续吗", "会员:续卡"),      # 续 of 续卡 and 续费, in a clause that asks
])
def test_the_verb_said_alone_names_the_keyword(physio: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(physio, text)


@pytest.mark.parametrize("text", [
    "按时吃饭，少熬夜",              # words of the segmenter's own: 按时, 按照, 按揭
    "按照你们说的回家热敷了",
    "房子按揭还没还完",
    "是按次收费还是按月收费",          # 按 as a preposition: never bare
    "按天算吗",
    "扎头发的皮筋落在你们店了",        # no aspect after the verb
])
def test_a_preposition_or_another_word_is_no_verb_alone(physio: KeywordTagger, text: str) -> None:
    assert not tags(physio, text) & {"项目:推拿", "项目:针灸"}


def test_an_intent_verb_alone_must_ask_or_wish(physio: KeywordTagger) -> None:
    assert "会员:续卡" in tags(physio, "年卡下个月到期，怎么续")
    assert "会员:续卡" not in tags(physio, "去年续的")  # 续 closes a report


def test_the_verb_goes_to_the_rule_with_most_keywords_on_it(physio: KeywordTagger) -> None:
    assert tags(physio, "灸完多久能洗澡") == {"项目:艾灸"}  # not 针灸 too


def test_an_operator_lists_or_switches_off_the_verbs() -> None:
    text = """
[[keyword]]
tag = "状态:退订"
keywords = ["退订"]

[[keyword]]
tag = "项目:美睫"
keywords = ["美睫", "接睫毛"]
negatable = false
heads = ["接"]

[[keyword]]
tag = "项目:推拿"
keywords = ["按摩", "按一下"]
negatable = false
heads = false
"""
    tagger = KeywordTagger(parse_rules(text))
    assert tags(tagger, "接完第二天就掉了好几根") == {"项目:美睫"}
    assert tags(tagger, "按完舒服多了") == set()


def test_a_salon_of_another_trade(nail: KeywordTagger) -> None:
    assert "项目:卸甲" in tags(nail, "上周卸完甲指甲有点软")
    assert "项目:卸甲" in tags(nail, "卸的时候磨得有点疼")
    assert "会员:续卡" in tags(nail, "卡快用完了，怎么续")
    assert tags(nail, "按时过来，不会迟到的") == set()



def test_a_card_upgraded_is_a_renewal(physio: KeywordTagger) -> None:
    assert "会员:续卡" in tags(physio, "我想把卡升级成年卡，差价怎么补")  # the 充值 group: 升级*卡
