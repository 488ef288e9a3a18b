"""Ways of asking to stop messages that name the message and wave it off (issue 11, session 22).

Every sentence is new. A message noun (推销电话, 活动通知, 推送) said with 免了 / 不要了 / 别打 / 不想接,
停止 or 请勿 before a verb of sending, and an @ in a group, all opt out; an offer or a package that
is waved off (活动免了, 套餐不要了) does not, nor does a question about a notice or a group mention.
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import SHIPPED, rules_only, tags


@pytest.mark.parametrize(
    "text",
    [
        "请停止给我发送推广信息",
        "停止给我推送",
        "别在群里@我了",
        "能不能别老@我",
        "推销电话就免了吧",
        "营销电话我不想再接了",
        "活动通知我不要了",
        "这些广告我都不要了",
        "请勿再发",
        "请勿再打电话",
        "怎么关掉推送",
        "公众号的推送怎么关",
    ],
)
def test_a_message_waved_off_is_an_opt_out(tagger: KeywordTagger, text: str) -> None:
    assert "状态:退订" in tags(tagger, text)


@pytest.mark.parametrize(
    "text",
    [
        "停止营业了吗",
        "活动停止了吗",
        "群里有人@我吗",
        "你@我一下",
        "别忘了打电话给我",
        "通知收到了",
        "这个套餐我不要了",
        "推荐的那个项目不要了",
        "活动免了吧，直接打折",
        "推送的活动怎么报名",
    ],
)
def test_an_offer_waved_off_or_a_mention_is_not(unchecked: KeywordTagger, text: str) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert "状态:退订" not in tags(unchecked, text)


@pytest.mark.parametrize("text", ["这种群发能不能少推点", "活动信息能少发点吗，太多了", "可不可以少发点广告"])
def test_asking_to_be_sent_less_opts_out(tagger: KeywordTagger, text: str) -> None:
    # jieba glues the modal to 少 (能不能少/推点, 能少/发点): the 少 is given back to the keyword
    assert "状态:退订" in tags(tagger, text)


@pytest.mark.parametrize("text", ["学费能不能少点", "能不能少收一点", "课时费能少一点吗"])
def test_asking_to_pay_less_is_no_opt_out(tagger: KeywordTagger, text: str) -> None:
    assert "状态:退订" not in tags(tagger, text)


def test_glued_modals_are_operator_data() -> None:
    from pathlib import Path


    shipped = (Path(__file__).resolve().parents[2] / "rules" / "tags.toml").read_text(encoding="utf-8")
    # the rules alone: the learned check gives 能不能少发点 the opt-out (wrongly: it asks for fewer messages)
    off = KeywordTagger(rules_only(shipped + '\n[language]\nglued_modals = ["可以"]\n'))
    assert off.tokens("能不能少发点") == ["能不能少", "发点"]  # as the segmenter cuts it with these rules
    assert "状态:退订" not in tags(off, "能不能少发点")  # 能不能 is no longer a modal given back


@pytest.mark.parametrize("text", [
    "课程推销的电话不要再打来了",        # the call named first, then refused
    "推销的电话以后不要再打过来",
    "以后别打了，电话太多了",            # the verb refused, the call named elsewhere (cues)
])
def test_a_call_refused_with_its_object_elsewhere(text: str) -> None:
    tagger = KeywordTagger(load_rules(SHIPPED))
    assert "状态:退订" in tags(tagger, text)


def test_an_injection_put_off_is_no_call_refused() -> None:
    tagger = KeywordTagger(load_rules(SHIPPED))
    assert "状态:退订" not in tags(tagger, "水光针先别打了，等脸消肿再说")


# An operator's day-one opt-out rule: the 退订 group brings a chat group's ways (session 25).
OPERATOR_OPT_OUT = '[[keyword]]\ntag = "状态:退订"\nkeywords = ["退订", "别再发"]\n'


@pytest.mark.parametrize("text", ["以后别@我了，谢谢", "麻烦把我从这个群移出去", "把我删了吧，用不上了", "别再拉我进群",
                                  "我退群了，有事私聊", "群里成天刷屏，吵死了"])
def test_an_operator_rule_hears_a_chat_group_s_opt_outs(text: str) -> None:
    assert tags(KeywordTagger(parse_rules(OPERATOR_OPT_OUT)), text) == {"状态:退订"}


@pytest.mark.parametrize("text", ["能拉我进你们的福利群吗", "有结果了记得@我一下", "不小心把你删了，重新加一下"])
def test_a_group_joined_or_a_mention_wanted_is_no_opt_out(text: str) -> None:
    assert tags(KeywordTagger(parse_rules(OPERATOR_OPT_OUT)), text) == set()
