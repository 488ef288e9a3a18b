"""Complaints said as a reproach, with no complaint word (bot/tagging/reproach.py): what was promised asked
for with 呢, a condition to an extreme, a question that blames, what a paid thing is good for, money scorned,
harm done by the business's people, a promised span gone by, a request told and ignored, disgust. An
operator's complaint rule of two words hears them through the 投诉 group's cues, and so do the shipped rules;
the same words asked in earnest, of the weather or of the customer's own, and a plain report stay untagged.
The operator's rules are a home-repair service's, with a problem tag of its own."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

REPAIR = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约", "上门"]

[[keyword]]
tag = "售后:问题"
keywords = ["漏水", "坏了", "裂了", "掉漆"]

[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "不满意"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别发了"]
"""


@pytest.fixture(scope="module")
def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(REPAIR))


REPROACHES = [
    "说好的免费停车呢",  # unmet: what was promised, asked for
    "宣传册上的双人套餐呢？到店就说没有了",
    "包间里闷得要命，叫了服务员也没人理",  # unbearable, and nobody came
    "汤咸得没法喝，桌子上的盘子也一直没人收",
    "刚补的墙面就开缝了，你们师傅怎么补的",  # blamed: the work asked about as done wrong
    "寄来的花瓶碎成两半，你们打包前都不检查的吗",  # blamed: a duty skipped
    "按摩床上一股味道，你们是不是没消毒过",
    "难道预约了也要在门口排队吗",  # blamed: a burden put on the customer
    "你们怎么搞的，又把我的名字写错了",
    "办了年卡有什么用，周末照样约不上",  # futile
    "一晚六百多就这条件？",  # unworthy: money scorned
    "花了四千多报的班，还不如在家自学",
    "一节课两百还这么敷衍？",
    "搬家师傅把我的鱼缸磕出一道缝，到现在也没人联系我",  # harmed, and left unanswered
    "客服说两个工作日回复，现在都一个多星期了",  # overdue: a promised span gone by
    "跟前台讲了三次还是不改",  # unheeded in one clause
    "这做的什么玩意",  # disgust
    "这个效率我真服了",
    "一进门就推销办卡，烦",  # annoyance, and a sales push
    "这就是你们宣传的私教课？教练全程在旁边看手机",  # a claim asked back, the business named
    "泳池的水都是浑的，这叫恒温泳池？",  # a claim asked back after a report
    "做成这个样子也好意思收钱",  # shame denied
    "洗坏了还不给赔，什么道理",
    "让我干等了一上午，我的时间不值钱吗",  # time wasted
    "约好的师傅没来，我在家白等了一天",
    "你们店的卫生真的差",  # 真的 as an intensifier
]


@pytest.mark.parametrize("text", REPROACHES)
def test_a_reproach_complains_to_an_operators_rule(operator: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(operator, text)


@pytest.mark.parametrize("text", REPROACHES)
def test_a_reproach_complains_to_the_shipped_rules(unchecked: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(unchecked, text)


@pytest.mark.parametrize("text", [
    "说好的时间是几点呢",  # asked in earnest
    "你说的那个链接呢，再发我一下",  # what was said, asked for, is no promise
    "今天外面热死了，我晚点到",  # the weather
    "楼上在装修，吵死了，孩子午觉都睡不成",  # the neighbours
    "我这周没法过来，下周再约",  # the customer's own
    "你们这个蛋糕怎么做的？也太好吃了吧",  # how, asked first and in praise
    "你们周末不上班吗",  # a question, no duty skipped
    "光子嫩肤有什么用",  # what it is for, asked in earnest
    "就这个颜色吧，多少钱",  # settling on a choice
    "一晚六百多，还有别的房型吗",  # a price named, nothing scorned
    "保洁阿姨把花瓶碰倒了，没事，不值钱",  # harm told and forgiven: one point only
    "医生说一周复查，现在两周了还能去吗",  # a promised span, asked
    "我跟孩子说了好几次还是不听",  # told to the customer's own child
    "烦请帮我开一张发票",  # 烦 inside 烦请
    "收到了，这是赠品吗？",  # asked in earnest
    "你们几点开门？",
])
def test_the_same_words_without_a_reproach_do_not(operator: KeywordTagger, unchecked: KeywordTagger,
                                                 text: str) -> None:
    assert "诉求:投诉" not in tags(operator, text)
    assert "诉求:投诉" not in tags(unchecked, text)


def test_a_plain_report_of_a_problem_is_the_trades_own_tag(operator: KeywordTagger) -> None:
    assert tags(operator, "厨房水管又漏水了，麻烦安排师傅上门看看") == {"售后:问题", "意向:预约"}


@pytest.mark.parametrize("text", ["包间里闷得要命，叫了服务员也没人理", "这做的什么玩意"])
def test_expand_false_keeps_no_cue(text: str) -> None:
    rules = REPAIR.replace('keywords = ["投诉", "不满意"]', 'keywords = ["投诉", "不满意"]\nexpand = false')
    assert "诉求:投诉" not in tags(KeywordTagger(parse_rules(rules)), text)


def test_an_operator_drops_a_reproach_by_name() -> None:
    rules = REPAIR.replace('keywords = ["投诉", "不满意"]', 'keywords = ["投诉", "不满意"]\n'
                           '[keyword.cues]\n"mood:blamed" = 0')
    assert "诉求:投诉" not in tags(KeywordTagger(parse_rules(rules)), "寄来的花瓶碎成两半，你们打包前都不检查的吗")


def test_an_operator_widens_a_reproach_in_language() -> None:
    text = "刚贴的膜就起泡了，你们师傅怎么贴的"
    assert "诉求:投诉" not in tags(KeywordTagger(parse_rules(REPAIR)), text)
    widened = REPAIR + '\n[language]\nblamed_verbs = ["贴", "装", "修"]\n'
    assert "诉求:投诉" in tags(KeywordTagger(parse_rules(widened)), text)


def test_a_settled_complaint_is_none_whatever_moods_the_rule_lists() -> None:
    rules = REPAIR.replace('keywords = ["投诉", "不满意"]', 'keywords = ["投诉", "不满意"]\n'
                           'not_mood = ["hypothetical", "praised"]')
    tagger = KeywordTagger(parse_rules(rules))
    assert "诉求:投诉" not in tags(tagger, "上个月投诉的那件事店长已经处理好了")
    assert "诉求:投诉" in tags(tagger, "我要投诉上门的师傅")
    kept = rules.replace('not_mood = ["hypothetical", "praised"]', 'not_mood = ["hypothetical"]\nmood = ["passed"]')
    assert "诉求:投诉" in tags(KeywordTagger(parse_rules(kept)), "上个月投诉的那件事店长已经处理好了")


@pytest.mark.parametrize("text", ["有个客人说要去消协投诉你们，你们知道吗", "有学员讲他要投诉前台"])
def test_another_customers_complaint_passed_on_is_none(operator: KeywordTagger, unchecked: KeywordTagger,
                                                      text: str) -> None:
    assert "诉求:投诉" not in tags(operator, text)
    assert "诉求:投诉" not in tags(unchecked, text)
