"""A verb-object keyword is found split, inverted and with its object's full noun (verb_object.py)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

RULES = """
[[keyword]]
tag = "项目:保养"
keywords = ["换机油"]
negatable = false
[[keyword]]
tag = "项目:洗车"
keywords = ["洗车"]
negatable = false
[[keyword]]
tag = "项目:洗牙"
keywords = ["洗牙"]
negatable = false
[[keyword]]
tag = "项目:清洗"
keywords = ["清洗油烟机", "地毯清洗"]
negatable = false
[[keyword]]
tag = "意向:换"
keywords = ["换滤芯"]
"""


@pytest.fixture(scope="module")
def tagger() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES))


@pytest.mark.parametrize(("text", "expected"), [
    ("机油是不是该换了", {"项目:保养"}),           # object fronted, modal between
    ("牙想洗一下，周几有空", {"项目:洗牙"}),
    ("车子洗完全是水印", {"项目:洗车"}),             # the object's full noun, verb with a complement
    ("洗一辆车多少钱", {"项目:洗车"}),               # a count and a measure between
    ("帮我洗下油烟机", {"项目:清洗"}),               # a two-character verb said by its head
    ("油烟机能洗吗", {"项目:清洗"}),
    ("地毯送去洗了", {"项目:清洗"}),                 # object before a two-character verb, inverted
    ("牙齿也该洗洗了", {"项目:洗牙"}),               # the verb doubled
])
def test_a_verb_object_keyword_said_apart_or_inverted(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize("text", ["车停在门口，洗手间在哪", "牙疼得厉害", "机油是上个月买的"])
def test_an_object_and_a_look_alike_verb_are_no_keyword(tagger: KeywordTagger, text: str) -> None:
    assert tags(tagger, text) == set()


def test_a_negator_between_object_and_verb_says_it_was_not_done(tagger: KeywordTagger) -> None:
    assert tags(tagger, "滤芯不用换了") == set()
    assert tags(tagger, "滤芯想换一下") == {"意向:换"}


def test_the_verb_glued_to_the_full_noun_holds_the_keyword() -> None:
    laundry = KeywordTagger(parse_rules('[[keyword]]\ntag = "项目:洗衣"\nkeywords = ["洗衣"]\nnegatable = false\n'))
    assert tags(laundry, "洗衣服要几天") == {"项目:洗衣"}
    assert tags(laundry, "衣服洗得很干净") == {"项目:洗衣"}
    assert tags(laundry, "衣柜里的东西别动") == set()


def test_the_verb_lists_are_operator_data() -> None:
    rules = parse_rules('[language]\nverbs = ["剪"]\n[[keyword]]\ntag = "项目:洗车"\nkeywords = ["洗车"]\n')
    assert tags(KeywordTagger(rules), "车子洗完全是水印") == set()


@pytest.mark.parametrize("text", ["元旦落下的那几节课怎么补", "请假的两堂课什么时候能补"])
def test_a_class_counted_by_its_measure_is_the_object_of_a_makeup(text: str) -> None:
    leave = '[[keyword]]\ntag = "课程:请假"\nkeywords = ["请假", "补课"]\n'
    assert tags(KeywordTagger(parse_rules(leave)), text) == {"课程:请假"}  # 节课, 堂课: full nouns of 课


@pytest.mark.parametrize(("text", "expected"), [
    ("欠的那两节课已经补完了，谢谢", set()),       # 已经 between the object and its verb: done
    ("欠的那两节课之前补过了吧", set()),
    ("欠的那两节课什么时候补", {"课程:请假"}),     # nothing done: the makeup is asked for
])
def test_a_done_marker_between_object_and_verb_is_done(text: str, expected: set[str]) -> None:
    leave = '[[keyword]]\ntag = "课程:请假"\nkeywords = ["请假", "补课"]\nnot_mood = ["done", "passed"]\n'
    assert tags(KeywordTagger(parse_rules(leave)), text) == expected


def test_the_inverted_order_is_looked_for_only_where_an_object_or_a_count_stands() -> None:
    from bot.tagging.language import Language
    from bot.tagging.verb_object import VerbObjects

    objects = VerbObjects(["补课", "换机油"], Language.build().words)
    assert objects.inverted(["两节课", "怎么", "补"]) == [(0, 3, "补课")]  # the noun after its count
    assert objects.inverted(["机油", "该换", "了"]) == [(0, 2, "换机油")]
    assert objects.inverted(["你好", "在", "吗"]) == []
    assert objects.inverted(["一", "下"]) == []  # a count, no object after it


@pytest.mark.parametrize("text", ["周五晚上能订三桌吗", "中午那种大一点的桌还能订吗", "帮我订一个桌，六点半到"])
def test_a_booking_verb_said_apart_from_what_is_booked(text: str) -> None:
    diner = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:订桌"\nkeywords = ["订桌", "订座"]\n'))
    assert tags(diner, text) == {"意向:订桌"}


@pytest.mark.parametrize(("text", "expected"), [
    ("想换一个男教练，女儿更听他的", {"老师:更换"}),     # a kind of 教练 after the count
    ("周日帮我订两张情侣座", {"意向:订座"}),
    ("换完的教练还是老样子", set()),                    # 的 makes no kind: nothing asked
])
def test_a_kind_of_the_object_after_a_count(text: str, expected: set[str]) -> None:
    rules = ('[[keyword]]\ntag = "老师:更换"\nkeywords = ["换教练"]\n'
             '[[keyword]]\ntag = "意向:订座"\nkeywords = ["订座"]\n')
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("周六中午想订个小方桌，四个人", {"意向:订桌"}),  # a kind of 桌 after the measure, beside a rule's 订个
    ("帮我订个包厢，晚上七点", {"意向:订桌"}),
    ("我订个蛋糕就行", set()),                     # 订个 is the other rule's; no 桌 named
])
def test_a_verb_with_an_insert_as_keyword_leaves_the_object_to_the_verb_object_keyword(
        text: str, expected: set[str]) -> None:
    rules = ('[[keyword]]\ntag = "意向:订桌"\nkeywords = ["订桌", "订包厢"]\n'
             '[[keyword]]\ntag = "意向:下单"\nkeywords = ["订个"]\nmood = ["question"]\n')
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("想办张年卡，周末能过来吗", {"会员:办卡"}),       # 一张 said 张: the 一 dropped before the measure
    ("下午过去洗双鞋，能等吗", {"项目:洗鞋"}),
    ("给孩子换件衣服再来", set()),                   # another object after the measure
])
def test_a_measure_said_without_its_one_still_splits_a_keyword(text: str, expected: set[str]) -> None:
    rules = ('[[keyword]]\ntag = "会员:办卡"\nkeywords = ["办卡"]\n'
             '[[keyword]]\ntag = "项目:洗鞋"\nkeywords = ["洗鞋"]\nnegatable = false\n')
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("想订下礼拜三的场，晚上七点", {"意向:订场"}),     # a time closed by 的 says which one
    ("能不能帮我订一个八人的场", {"意向:订场"}),       # a size after the count
    ("订好的场能改时间吗", set()),                    # a result after the verb: the one booked
    ("我订了的场还没付钱", set()),
])
def test_which_one_said_with_de_between_verb_and_object(text: str, expected: set[str]) -> None:
    rules = '[[keyword]]\ntag = "意向:订场"\nkeywords = ["订场"]\n'
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("年会想包一个大厅，两百人左右", {"意向:包场"}),   # the operator wrote 包个厅: 包 is a verb said apart
    ("下周六能包两个厅吗", {"意向:包场"}),
    ("能不能再多两个人，一共六个", {"预约:变更"}),     # 多一个人 with another count
    ("周六晚上人多吗", set()),                         # taught verbs are heard split only, never object first
    ("我们七个人，多少钱", set()),
])
def test_a_keyword_written_split_by_a_measure_teaches_its_verb(text: str, expected: set[str]) -> None:
    rules = ('[[keyword]]\ntag = "意向:包场"\nkeywords = ["包个厅"]\n'
             '[[keyword]]\ntag = "预约:变更"\nkeywords = ["多一个人"]\n')
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("那双运动鞋能修吗", {"售后:修鞋"}),              # 运动鞋 is a kind of 鞋: the object first
    ("孩子的棉鞋想补一下", {"售后:修鞋"}),
    ("皮鞋不用修了", set()),                          # a negator between: not wanted
    ("月卡还能退吗", {"诉求:退款"}),                  # 月卡 of 退卡
    ("包场一般提前几天订", {"意向:包场"}),            # 包场 is a verb and its object (包个场), no kind of 场
])
def test_a_noun_headed_by_a_one_character_object_is_that_object(text: str, expected: set[str]) -> None:
    rules = ('[[keyword]]\ntag = "售后:修鞋"\nkeywords = ["修鞋", "补鞋"]\nexpand = false\n'
             '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退卡"]\nexpand = false\n'
             '[[keyword]]\ntag = "意向:包场"\nkeywords = ["包场", "包个场"]\n'
             '[[keyword]]\ntag = "意向:预约"\nkeywords = ["订场"]\nexpand = false\n')
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("这位阿姨做饭太咸，能不能换个人", {"服务:换阿姨"}),   # 人 for a person of `staff`
    ("下周开始帮我换人吧", {"服务:换阿姨"}),               # glued to the verb
    ("周六人太多了，换个时间吧", set()),                   # no person is the object
    ("人换了好几个都不满意", set()),                       # never object first: 人 is anyone there
])
def test_a_staff_object_is_also_said_by_ren(text: str, expected: set[str]) -> None:
    rules = '[[keyword]]\ntag = "服务:换阿姨"\nkeywords = ["换阿姨"]\n'
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


@pytest.mark.parametrize("text", ["保证金什么时候退，活动都结束一周了", "保证金啥时候退呀"])
def test_a_when_word_glued_to_the_verb_of_an_inverted_keyword(text: str) -> None:
    rules = ('[[keyword]]\ntag = "押金:退还"\nkeywords = ["退保证金"]\nexpand = false\n'
             '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n')  # its group makes 什么时候退 one word
    assert "押金:退还" in tags(KeywordTagger(parse_rules(rules)), text)


# A bike-hire shop's, a costume hire's and a water purifier dealer's rules: a refund rule beside them makes 退了吧,
# 可以退 and 退一半 words of the segmenter.
OBJECT_FIRST = ('[[keyword]]\ntag = "押金:退还"\nkeywords = ["退保证金", "退押金"]\nexpand = false\n'
                '[[keyword]]\ntag = "售后:换滤芯"\nkeywords = ["换滤芯"]\nexpand = false\n'
                '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n')


@pytest.mark.parametrize(("text", "tag"), [
    ("单车还回去三天了，保证金应该退了吧", "押金:退还"),      # a particle after the complement
    ("保证金可以退了吗，车昨天就还了", "押金:退还"),          # a modal of two characters glued on
    ("会员的保证金能先退一半吗", "押金:退还"),                # a share glued to the verb
    ("演出服昨天还回去了，押金可以退了吧", "押金:退还"),
])
def test_what_the_segmenter_glues_to_an_inverted_verb(text: str, tag: str) -> None:
    assert tag in tags(KeywordTagger(parse_rules(OBJECT_FIRST)), text)


@pytest.mark.parametrize(("text", "tag"), [
    ("这保证金是不能退了吧", "押金:退还"),                    # a negator between: nothing asked back
    ("滤芯不用换了吧，上个月才换", "售后:换滤芯"),
])
def test_a_negator_still_parts_an_inverted_verb(text: str, tag: str) -> None:
    assert tag not in tags(KeywordTagger(parse_rules(OBJECT_FIRST)), text)
