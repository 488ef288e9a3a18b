"""What an operator's few words find: concept groups, a verb split from its object, intent not mention."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RulesError, parse_rules
from tests.support.tagging import tags


def tagger_of(rules: str) -> KeywordTagger:
    return KeywordTagger(parse_rules(rules))


PRICE = '[[keyword]]\ntag = "关注:价格"\nkeywords = ["多少钱"]\n'


@pytest.mark.parametrize("text", ["剪指甲什么价", "团购有折扣吗", "会员怎么算钱", "能分几期"])
def test_a_keyword_brings_its_concept_group(text: str) -> None:
    assert tags(tagger_of(PRICE), text) == {"关注:价格"}


def test_the_match_names_the_word_and_the_keyword_it_stands_for() -> None:
    [match] = tagger_of(PRICE).tag("做一次牙套什么价位")
    assert match.matched == ("什么价位（≈多少钱）",)


def test_a_rule_can_keep_to_its_own_words_or_some_groups() -> None:
    assert tags(tagger_of(PRICE + "expand = false\n"), "剪指甲什么价") == set()
    refund = '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款", "多少钱"]\nexpand = ["退款"]\n'
    assert tags(tagger_of(refund), "余额帮我折现吧") == {"诉求:退款"}
    assert tags(tagger_of(refund), "剪指甲什么价") == set()
    assert "no concept group '价钱'" in str(pytest.raises(RulesError, parse_rules, PRICE + 'expand = ["价钱"]\n').value)


def test_an_operator_adds_words_and_groups() -> None:
    rules = '[concepts]\n"价格" = ["会员日价"]\n"洗护" = ["洗护", "修毛"]\n' + PRICE + (
        '[[keyword]]\ntag = "项目:洗护"\nkeywords = ["洗护"]\nnegatable = false\n')
    assert tags(tagger_of(rules), "周三会员日价是几折") == {"关注:价格"}
    assert tags(tagger_of(rules), "泰迪想修毛") == {"项目:洗护"}


def test_symptom_groups_stay_apart_and_are_not_read_by_sound() -> None:
    sick = '[[keyword]]\ntag = "宠物:不适"\nkeywords = ["吐"]\n'
    assert tags(tagger_of(sick), "狗狗早上干呕了好几次") == {"宠物:不适"}
    assert tags(tagger_of(sick), "猫后腿一碰就疼") == set()  # 疼 is another group
    assert tags(tagger_of(sick), "毛剪得跟秃了一样") == set()  # 秃了 sounds like 吐了


@pytest.mark.parametrize("text", ["周日想给狗洗个澡", "洗完澡它一直在抖", "这周洗了两次澡"])
def test_a_verb_and_its_object_may_stand_apart(text: str) -> None:
    bath = tagger_of('[[keyword]]\ntag = "项目:洗护"\nkeywords = ["洗澡"]\nnegatable = false\n')
    assert tags(bath, text) == {"项目:洗护"}


def test_a_split_verb_with_guo_was_done_already() -> None:
    leave = tagger_of('[[keyword]]\ntag = "课程:请假"\nkeywords = ["请假"]\nnot_mood = ["done"]\n')
    assert tags(leave, "周五想请个假") == {"课程:请假"}
    assert tags(leave, "周五的课我们请过假了") == set()


def test_a_gapped_keyword_said_as_one_word() -> None:
    stop = tagger_of('[[keyword]]\ntag = "状态:退订"\nkeywords = ["不要*推送"]\nexpand = false\n')
    assert tags(stop, "以后不要推送了") == {"状态:退订"}


ENQUIRY = '[[keyword]]\ntag = "课程:咨询"\nkeywords = ["上课"]\nasked = ["班"]\nintent = true\n'


@pytest.mark.parametrize("text", ["周末几点上课", "想了解一下上课时间", "上课能带家长吗", "有没有适合五岁的班",
                                  "帮我看看哪个班合适"])
def test_an_enquiry_asks_or_wishes(text: str) -> None:
    assert tags(tagger_of(ENQUIRY), text) == {"课程:咨询"}


@pytest.mark.parametrize("text", ["孩子今天上课很开心", "上课的内容他回家讲给我听了", "他在班里交了新朋友",
                                  "孩子不想上课了"])
def test_a_class_mentioned_is_no_enquiry(text: str) -> None:
    assert tags(tagger_of(ENQUIRY), text) == set()


def test_asked_words_need_a_question_while_the_others_do_not() -> None:
    rules = '[[keyword]]\ntag = "课程:咨询"\nkeywords = ["试听"]\nasked = ["班"]\n'
    assert tags(tagger_of(rules), "孩子试听完挺喜欢") == {"课程:咨询"}
    assert tags(tagger_of(rules), "他在班里交了新朋友") == set()
    assert tags(tagger_of(rules), "还有周末的班吗") == {"课程:咨询"}


COMPLAINT = '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉", "不满意"]\n'


@pytest.mark.parametrize("text", ["等了快一个钟头，你们这效率也太慢了", "这两千块花得真冤", "前台说话好凶啊",
                                  "呵呵，这就是你们说的五星服务", "我问了三遍都说不知道，你们得负责",
                                  "什么破前台，电话都不接"])
def test_a_complaint_rule_hears_complaints_without_its_words(text: str) -> None:
    assert tags(tagger_of(COMPLAINT), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", ["一点都不慢，挺快的", "不太慢，十分钟就好了", "今天排队的人真多", "太好了谢谢",
                                  "你们家价格真的不贵"])
def test_a_plain_remark_is_no_complaint(text: str) -> None:
    assert tags(tagger_of(COMPLAINT), text) == set()


def test_the_rules_own_cues_win_and_expand_false_keeps_none() -> None:
    assert tags(tagger_of(COMPLAINT + '[keyword.cues]\n"呵呵" = 0\n'), "呵呵") == set()
    assert tags(tagger_of(COMPLAINT + "expand = false\n"), "这两千块花得真冤") == set()
    gentle = tagger_of('[language]\nintensifiers = ["非常"]\n' + COMPLAINT)
    assert tags(gentle, "这两千块花得真冤") == set()
    assert tags(gentle, "出餐非常慢") == {"诉求:投诉"}


def test_a_modal_keyword_is_also_asked_both_ways() -> None:
    refund = tagger_of('[[keyword]]\ntag = "诉求:退款"\nkeywords = ["能退", "可以退"]\nexpand = false\n')
    assert tags(refund, "年卡用不上了，能不能退") == {"诉求:退款"}
    assert [m.matched for m in refund.tag("可不可以退")] == [("可不可以退（≈可以退）",)]


def test_money_back_already_and_a_doctors_word_are_no_new_report() -> None:
    rules = ('[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n'
             '[[keyword]]\ntag = "术后:不适"\nkeywords = ["肿"]\nnot_mood = ["hearsay", "passed"]\n')
    assert tags(tagger_of(rules), "退款已到账，麻烦了") == set()
    assert tags(tagger_of(rules), "退款什么时候到账") == {"诉求:退款"}
    assert tags(tagger_of(rules), "医生说打完肿两天很正常") == set()


@pytest.mark.parametrize(("text", "expected"), [("下周三的课想请个假", {"课程:请假"}),
                                                ("周三的课之前就请过假了，周六照常", set())])
def test_the_shipped_leave_rule_skips_leave_already_taken(tagger: KeywordTagger, text: str,
                                                         expected: set[str]) -> None:
    assert tags(tagger, text) == expected


COMPLAINT = '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉"]\n'


@pytest.mark.parametrize("text", ["在前台等了快两个小时才开始给我做", "排了五十分钟，轮到我医生又下班了，气死了",
                                  "三个星期了，说好的回电一个都没有", "开卡的时候说能转让，现在又不认了",
                                  "这个问题我催了三遍", "做完跟没做一样，钱花得冤", "不是说包邮吗，怎么又收运费"])
def test_a_service_failure_told_as_a_plain_fact_is_a_complaint(text: str) -> None:
    assert tags(tagger_of(COMPLAINT), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", ["今天等了二十分钟，还好护士很耐心", "学了三个月了，孩子进步很大",
                                  "我可能会迟到一会儿", "问了两次才找到你们店，谢谢"])
def test_one_sign_of_trouble_alone_is_no_complaint(text: str) -> None:
    assert tags(tagger_of(COMPLAINT), text) == set()


def test_a_referral_rule_hears_every_kind_of_person_and_way_of_referring() -> None:
    referral = tagger_of('[[keyword]]\ntag = "意向:转介绍"\nkeywords = ["朋友也想", "带朋友"]\n')
    for text in ("我室友也想来试试", "周末带上我姐一起", "上个月推荐了老同学过去", "我老公想约个时间"):
        assert tags(referral, text) == {"意向:转介绍"}, text
    assert tags(referral, "朋友说你们家不错") == set()


def test_a_redo_rule_hears_the_other_ways_of_asking_for_one() -> None:
    redo = tagger_of('[[keyword]]\ntag = "售后:返工"\nkeywords = ["返工"]\n')
    for text in ("修完两天又漏水了，能重新修吗", "衣服改短了，能帮我重新弄一下吗", "颜色掉了，可以补色吗"):
        assert tags(redo, text) == {"售后:返工"}, text
    assert tags(redo, "效果很好，不用返工") == set()


def test_an_opt_out_rule_hears_calls_and_pushes_with_words_between() -> None:
    stop = tagger_of('[[keyword]]\ntag = "状态:退订"\nkeywords = ["别再发"]\n')
    for text in ("以后不用再给我推送了", "别老打电话过来", "不要再打电话推销了"):
        assert tags(stop, text) == {"状态:退订"}, text


BOOK = '[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约"]\n'


def test_moving_an_arrangement_is_a_booking_unless_another_rule_weighs_it() -> None:
    assert tags(tagger_of(BOOK), "周五那个能挪到下周一吗") == {"意向:预约"}
    leave = ('[[keyword]]\ntag = "课程:请假"\nkeywords = ["请假"]\ncue_threshold = 2\n'
             '[keyword.cues]\n"mood:rescheduled" = 2\n')
    assert tags(tagger_of(BOOK + leave), "周五那个能挪到下周一吗") == {"课程:请假"}


STOP = '[[keyword]]\ntag = "状态:退订"\nkeywords = ["退订"]\n'


@pytest.mark.parametrize(("text", "expected"), [
    ("你们的短信太多了，能不能关掉", {"状态:退订"}),
    ("群发名单里把我删掉", {"状态:退订"}),
    ("帮我把周六的预约取消掉，疗程先停掉", set()),  # two stopping verbs, no message
    ("消息太多了，没看到你的回复", set()),  # too many messages, nothing stopped
])
def test_too_many_messages_and_a_verb_that_stops_them_opt_out(text: str, expected: set[str]) -> None:
    assert tags(tagger_of(STOP), text) == expected


def test_a_rule_that_names_three_kinds_of_discomfort_hears_them_all() -> None:
    unwell = tagger_of('[[keyword]]\ntag = "健康:不适"\nkeywords = ["吐", "拉稀", "不吃"]\n')
    for text in ("兔子这两天一直打喷嚏", "回来以后左后腿一瘸一拐", "耳朵后面一直挠，抓出血了"):
        assert tags(unwell, text) == {"健康:不适"}, text
    assert tags(tagger_of('[[keyword]]\ntag = "健康:不适"\nkeywords = ["吐", "拉稀"]\n'),
                "兔子这两天一直打喷嚏") == set()  # two kinds: the rule keeps to its own


def test_a_fault_rule_hears_the_other_ways_a_thing_breaks_down() -> None:
    fault = tagger_of('[[keyword]]\ntag = "售后:故障"\nkeywords = ["坏了"]\n')
    for text in ("空调修完还是不制冷", "刚换的刹车有异响"):
        assert tags(fault, text) == {"售后:故障"}, text


def test_a_refund_refused_and_harm_done_are_heard() -> None:
    refund = tagger_of('[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n')
    assert tags(refund, "交了三个月的钱现在不给退") == {"诉求:退款"}
    assert tags(tagger_of(COMPLAINT), "修脚的时候把我脚趾剪破了") == {"诉求:投诉"}


# An operator's plain rules, a few obvious words a tag, as docs/tagging.md shows them.
PLAIN = """
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]
[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "优惠"]
[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "不满意"]
[[keyword]]
tag = "意向:转介绍"
keywords = ["介绍朋友"]
[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别再发"]
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("下礼拜三还排得上吗", {"意向:预约"}),
    ("你看月底哪天有空，我带孩子过去", {"意向:预约"}),
    ("节假日做要额外加钱吗", {"关注:价格"}),
    ("窗帘是按米算还是按幅算", {"关注:价格"}),
    ("做成这样我实在接受不了", {"诉求:投诉"}),
    ("宣传图跟实物差太远，感觉被骗了", {"诉求:投诉"}),
    ("我把你们推荐给我表姐了", {"意向:转介绍"}),
    ("我闺蜜问你们周末开不开门", {"意向:转介绍"}),
    ("以后不用再通知我了", {"状态:退订"}),
    ("别再打电话联系我了", {"状态:退订"}),
    ("天天都发这些，帮我去掉吧", {"状态:退订"}),
    ("td", {"状态:退订"}),
    ("这种广告消息以后少发点", {"状态:退订"}),
])
def test_plain_rules_hear_the_everyday_ways_of_each_intent(text: str, expected: set[str]) -> None:
    assert tags(tagger_of(PLAIN), text) == expected


@pytest.mark.parametrize("text", ["我是朋友推荐过来的", "她说你们的老师很负责", "按时到就行", "通知收到了，谢谢"])
def test_plain_rules_leave_the_look_alikes_alone(text: str) -> None:
    assert tags(tagger_of(PLAIN), text) == set()


HARM = '[[keyword]]\ntag = "售后:问题"\nkeywords = ["洗坏", "掉色", "缩水"]\n'


@pytest.mark.parametrize("text", ["搬家师傅把柜门磕坏了", "床单拿回来有一股怪味", "外套被你们弄丢了",
                                  "白裤子洗完泛黄", "厨房还是脏的，灶台都没擦"])
def test_a_rule_naming_three_kinds_of_harm_hears_them_all(text: str) -> None:
    assert tags(tagger_of(HARM), text) == {"售后:问题"}


@pytest.mark.parametrize("text", ["我自己的钥匙找不到了", "楼下电梯坏了，师傅走楼梯上来吧", "会员卡丢了怎么补"])
def test_harm_is_not_a_thing_lost_by_the_customer_or_broken_elsewhere(text: str) -> None:
    assert tags(tagger_of(HARM), text) == set()


def test_a_rule_with_one_kind_of_harm_keeps_to_it() -> None:
    one = '[[keyword]]\ntag = "售后:问题"\nkeywords = ["洗坏"]\n'
    assert tags(tagger_of(one), "桌面被刮花了") == {"售后:问题"}
    assert tags(tagger_of(one), "T恤缩水了") == set()


REDO = '[[keyword]]\ntag = "售后:重修"\nkeywords = ["重修", "修一下"]\n'


@pytest.mark.parametrize("text", ["背景那个垃圾桶能P掉吗", "肤色再调一下，太黄了", "这组图再修修吧"])
def test_a_redo_rule_hears_a_photo_retouched_again(text: str) -> None:
    assert tags(tagger_of(REDO), text) == {"售后:重修"}


@pytest.mark.parametrize(("text", "expected"), [
    ("你们店有没有次卡", {"关注:价格"}),
    ("想给孩子办张月卡", {"关注:价格"}),
    ("年卡快到期了，怎么续", set()),  # a card held is no price question
    ("储值卡丢了能补吗", set()),
])
def test_a_card_to_buy_asked_about_is_a_price_question(text: str, expected: set[str]) -> None:
    assert tags(tagger_of(PRICE), text) == expected


@pytest.mark.parametrize("text", ["打了一下午电话都联系不上", "怎么又推销，烦不烦"])
def test_a_complaint_rule_hears_nobody_reached_and_selling(text: str) -> None:
    assert tags(tagger_of(PLAIN), text) == {"诉求:投诉"}


@pytest.mark.parametrize(("text", "expected"), [
    ("陪护阿姨一天多少", {"关注:价格"}),
    ("精修多少一张", {"关注:价格"}),
    ("这种几钱", {"关注:价格"}),
    ("一次能来多少人", set()),  # a count asked, not a price
    ("等了一个多小时", set()),
])
def test_how_much_for_one_of_something_is_a_price_question(text: str, expected: set[str]) -> None:
    assert tags(tagger_of(PRICE), text) == expected
