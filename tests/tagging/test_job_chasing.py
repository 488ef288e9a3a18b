"""A job under way chased by its end (the 催单 group's job forms, `[language] when_words` and a particle
the segmenter glued to the word it asks of). The rules are a watch and shoe repair shop's, a trade no
development set has, written as an operator would: 进度 and 催 name the chase, one when-question is listed."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import asked_when
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

REPAIR = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:送修"
keywords = ["送修", "预约"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "进度:催修"
keywords = ["进度", "催", "什么时候修好"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised"]

[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "不满意"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def repair() -> KeywordTagger:
    return KeywordTagger(parse_rules(REPAIR))


@pytest.mark.parametrize("text", [
    "手表哪天能修好",                      # another way of asking when, a modal between
    "皮鞋几号可以修好，周末要穿",
    "表蒙贴好了吗",
    "鞋跟补好了没",                        # the particle glued to the word: 补/好了没
    "我那块表修到哪一步了",
    "都一个多礼拜了还没修完",
    "能加急吗，后天要出国",
    "机芯什么时候能弄完",
])
def test_a_job_chased_is_heard(repair: KeywordTagger, text: str) -> None:
    assert "进度:催修" in tags(repair, text)


@pytest.mark.parametrize("text", [
    "修一块表一般要几天",                  # asked before anything is sent: no job under way
    "表已经修好了，走得很准，谢谢",        # done and praised
    "不着急，你们慢慢修",
    "你们几号放假",                        # a when-question about no job
    "什么时候方便，我想过去送修",
])
def test_what_is_no_chase(repair: KeywordTagger, text: str) -> None:
    assert "进度:催修" not in tags(repair, text)


def test_complaint_cue_is_not_hidden_by_a_job_form(repair: KeywordTagger) -> None:
    # The job forms are read as the segmenter cuts them: 还没修完 made one word would hide the 还没 cue.
    assert tags(repair, "都修了两个月了还没修完，说好的一周呢") >= {"进度:催修", "诉求:投诉"}


def test_when_words_stand_for_each_other() -> None:
    forms = asked_when(["什么时候开工", "啥时候*发货", "开工"], ["什么时候", "啥时候", "哪天"])
    assert forms == {"什么时候*开工": "什么时候开工", "啥时候*开工": "什么时候开工", "哪天*开工": "什么时候开工",
                     "什么时候*发货": "啥时候*发货", "啥时候*发货": "啥时候*发货", "哪天*发货": "啥时候*发货"}


def test_when_words_are_operator_data() -> None:
    tagger = KeywordTagger(parse_rules(REPAIR + '\n[language]\nwhen_words = ["什么时候"]\n'))
    assert "进度:催修" not in tags(tagger, "手表礼拜几能修好")
    assert "进度:催修" in tags(KeywordTagger(parse_rules(REPAIR)), "手表哪天能修好")


def test_expand_false_keeps_the_keyword_as_written() -> None:
    tagger = KeywordTagger(parse_rules(REPAIR.replace('"什么时候修好"]', '"什么时候修好"]\nexpand = false')))
    assert "进度:催修" not in tags(tagger, "手表哪天能修好")
    assert "进度:催修" in tags(tagger, "手表什么时候修好")


# A photo studio's chase rule written as the thing and then when (照片什么时候).
PHOTOS = '''
[[keyword]]
tag = "进度:催片"
keywords = ["照片什么时候", "相册什么时候"]
not_mood = ["hypothetical", "passed", "settled"]
'''


@pytest.mark.parametrize("text", ["照片大概什么时候能修好", "相册啥时候能寄到", "我们的照片哪天可以选"])
def test_the_thing_asked_when_is_heard_with_words_between(text: str) -> None:
    assert tags(KeywordTagger(parse_rules(PHOTOS)), text) == {"进度:催片"}


def test_the_thing_too_far_from_when_is_not_asked_when() -> None:
    assert tags(KeywordTagger(parse_rules(PHOTOS)), "照片拍得很好看，下次什么时候有活动") == set()


def test_a_keyword_closing_with_when_gets_its_gapped_forms() -> None:
    forms = asked_when(["报告什么时候", "什么时候"], ["什么时候", "啥时候"])
    assert forms["报告*啥时候"] == "报告什么时候" and forms["报告*什么时候"] == "报告什么时候"
    assert not any(form.startswith("*") for form in forms)


def test_money_back_chased_is_no_order_chased() -> None:
    """Issue 11, precision: the 催单 group excludes money back (到账, 退款: 退款怎么还没到账), unless the rule is about
    money back too (it reaches the 退款 group). New sentences."""
    orders = KeywordTagger(parse_rules('[[keyword]]\ntag = "物流:催单"\nkeywords = ["到哪了", "还没到"]\n'))
    assert tags(orders, "退款怎么还没到账啊，都五天了") == set()
    assert tags(orders, "包裹怎么还没到，都五天了") == {"物流:催单"}
    refunds = KeywordTagger(parse_rules('[[keyword]]\ntag = "售后:退款"\nkeywords = ["退款", "还没到"]\n'))
    assert tags(refunds, "退款怎么还没到账啊，都五天了") == {"售后:退款"}


# A removal firm's and a tea shop's chase rules, written with a where-is-it word only.
ON_ITS_WAY = '''
[[keyword]]
tag = "催单:进度"
keywords = ["到哪了", "还要多久"]
not_mood = ["hypothetical", "passed", "settled"]
'''


@pytest.mark.parametrize("text", [
    "搬家的师傅出发了没？东西都打包好了",     # the worker set off
    "货车出门了吗，楼下车位只能停半小时",
    "上周订的龙井寄出了吗",                   # the thing sent off
    "我那两盒茶叶你们发了没",
    "上周订的那批木托盘有消息了吗",          # news of it asked or missed
    "搬家的车等了两个钟头还没消息",
])
def test_sent_off_or_set_off_is_chased(text: str) -> None:
    assert "催单:进度" in tags(KeywordTagger(parse_rules(ON_ITS_WAY)), text)


@pytest.mark.parametrize("text", [
    "师傅们明天几点出发",                      # when they will set off, asked before
    "茶叶已经寄出了，单号稍后发你",            # told, not asked (the business's own words)
    "东西不着急，你们方便的时候再发",
    "有消息了我再联系你们",                    # the customer's own news to come
])
def test_what_chases_nothing_sent(text: str) -> None:
    assert "催单:进度" not in tags(KeywordTagger(parse_rules(ON_ITS_WAY)), text)
