"""An amount of money or a fee asked about is a price question, whatever its figure or its noun."""

from __future__ import annotations

import pytest

from bot.tagging.amounts import figure_classes, token_class
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

PRICE = '[[keyword]]\ntag = "关注:价格"\nkeywords = ["价格"]\n'


def tagger_of(rules: str) -> KeywordTagger:
    return KeywordTagger(parse_rules(rules))


@pytest.mark.parametrize("text", ["五千以内能做哪种", "八百块能做个什么", "1500左右的有没有", "资料费是单独收吗",
                                  "体检费要另外交吗", "预算两万出头，够吗"])
def test_an_amount_or_a_fee_asked_about_is_a_price_question(text: str) -> None:
    assert tags(tagger_of(PRICE), text) == {"关注:价格"}


@pytest.mark.parametrize("text", ["昨天刚付了两千", "资料费已经交过了", "万一做完过敏了", "我们一块过来",
                                  "孩子十二岁能学吗", "可以免费试听吗"])
def test_an_amount_said_in_passing_or_a_number_that_is_no_amount_is_no_price_question(text: str) -> None:
    assert tags(tagger_of(PRICE), text) == set()


def test_the_match_names_the_class_and_the_keyword() -> None:
    [match] = tagger_of(PRICE).tag("三万以内有推荐的吗")
    assert match.matched == ("#以内（≈价格）",)


def test_a_keyword_that_names_the_token_wins_over_its_class() -> None:
    refund = tagger_of(PRICE + '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["报名费"]\n')
    assert tags(refund, "报名费要交吗") == {"诉求:退款"}


def test_a_rule_that_keeps_to_its_words_gets_no_amounts() -> None:
    assert tags(tagger_of(PRICE + "expand = false\n"), "五千以内能做哪种") == set()


@pytest.mark.parametrize(("token", "cls"), [("三千", "#"), ("一千块", "#块"), ("两块钱", "#块钱"),
                                            ("一块", None), ("千万", None), ("十二", None), ("教材费", "费"),
                                            ("免费", None)])
def test_token_classes(token: str, cls: str | None) -> None:
    assert token_class(token) == cls


@pytest.mark.parametrize("text", ["5百以内的面霜有吗", "4千多能报一整年吗", "2万5够做全套吗", "一千5能做几次",
                                  "6百块能买到吗"])
def test_digits_mixed_with_chinese_are_an_amount(text: str) -> None:
    assert tags(tagger_of(PRICE), text) == {"关注:价格"}


@pytest.mark.parametrize("text", ["孩子读5年级", "上周刚转了3千", "2号楼3层", "第2次来了"])
def test_mixed_digits_that_are_no_amount_or_said_in_passing_ask_nothing(text: str) -> None:
    assert tags(tagger_of(PRICE), text) == set()


def test_a_figure_cut_apart_is_read_at_its_last_token() -> None:
    assert figure_classes(["2", "百", "以内"]) == {1: "#"}
    assert figure_classes(["8", "百块"]) == {1: "#块"}
    assert figure_classes(["一千", "2", "够"]) == {1: "#"}
    assert figure_classes(["孩子", "3", "年级"]) == {}
