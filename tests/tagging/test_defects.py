"""The shipped defect vocabulary (bot/tagging/defects.py): a problem rule of a few words hears the customer
describe the defect, by kind; a rule of one kind keeps to it; a rule of three kinds, or of a word of 质量, hears
them all; a defect denied, asked about, expected, heard of, repaired or praised away is no report; a complaint
rule keeps to the kinds it names. The rules are operators' of trades no development set has (a home-appliance
shop, a parcel locker, a guesthouse, a phone repair counter, a water-dispenser rental), written as an operator
would; the sentences are new."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import DEFAULT_CONCEPTS, FAMILIES
from bot.tagging.defects import DEFECT_FAMILY, DEFECT_KINDS, DEFECTS
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RulesError, parse_rules
from tests.support.tagging import tags

NOT_MOOD = 'not_mood = ["question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised"]'

APPLIANCES = f"""
exclusive_groups = ["状态"]

[[keyword]]
tag = "售后:问题"
keywords = ["质量问题", "坏了"]
{NOT_MOOD}

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def appliances() -> KeywordTagger:
    return KeywordTagger(parse_rules(APPLIANCES))


@pytest.mark.parametrize("text", [
    "床头灯装上以后开关按了也不亮",            # not working
    "烘干机转了两圈就不转了",
    "加湿器用了一周就不出水了",
    "吸尘器充了一夜电，半小时就没电了",
    "电视盒子画面时有时无",
    "热水器面板一直闪，洗到一半水不热了",
    "冰柜门总是关不严",
    "净水壶的盖子拧不紧",
    "洗碗机底下一直在渗水",                    # leaking
    "空调内机往下滴水",
    "油烟机一开就嗡嗡响",                      # noise
    "电风扇转起来咔咔响",
    "锅底有一道裂纹",                          # damaged
    "收到的碗碎了两个",
    "柜子的门把手松动了",
    "微波炉边角磕掉一块漆",
    "新买的冰箱里一股怪味",                    # dirty, smelly or spoiled
    "洗衣机滚筒里有霉点",
    "送来的配件少了一个螺丝",                  # missing or wrong
    "到手的是白色，我下单的明明是灰色",
    "用了三天又出问题了",                      # said in general
])
def test_a_problem_rule_of_a_general_word_hears_every_kind(appliances: KeywordTagger, text: str) -> None:
    assert tags(appliances, text) == {"售后:问题"}


@pytest.mark.parametrize("text", [
    "用了两年都没坏过",                        # denied
    "这台不漏水吧",
    "没有异味，挺好闻的",
    "这款烤箱会不会漏电",                      # asked, expected
    "电饭煲漏不漏气",
    "听说这个牌子容易坏",                      # heard of
    "上周渗水那个，师傅来修好了",              # repaired
    "冰箱修好了吗",                            # a repair chased, no defect told
    "万一用久了有异响怎么办",                  # supposed
    "做工很好，没有瑕疵",                      # praised
    "这款有防漏设计吗",                        # a feature asked about
    "静音效果怎么样",
])
def test_no_report_is_heard_where_the_defect_is_not_told(appliances: KeywordTagger, text: str) -> None:
    assert tags(appliances, text) == set()


@pytest.mark.parametrize("text", [
    "台灯修好没两天又不亮了",                  # 没两天 says how soon, it denies nothing
    "水龙头换了新的，没用几次又开始漏",
    "空调修过一次，现在还是不冷",
])
def test_a_defect_back_after_a_repair_is_heard(appliances: KeywordTagger, text: str) -> None:
    assert tags(appliances, text) == {"售后:问题"}


PARCELS = f"""
[[keyword]]
tag = "售后:破损"
keywords = ["破损", "压坏"]
{NOT_MOOD}
"""


def test_a_rule_of_one_kind_keeps_to_it() -> None:
    parcels = KeywordTagger(parse_rules(PARCELS))
    for text in ("箱子一角裂开了", "瓷盘缺了个角", "杯子碎成好几片", "外壳被撞凹了"):
        assert tags(parcels, text) == {"售后:破损"}, text
    for text in ("冰箱不制冷", "热水器漏水", "衣服有股霉味"):
        assert tags(parcels, text) == set(), text


def test_a_rule_that_lists_the_family_hears_every_kind() -> None:
    widened = KeywordTagger(parse_rules(PARCELS.replace('keywords = ["破损", "压坏"]',
                                                        'keywords = ["破损", "压坏"]\nexpand = ["缺陷"]')))
    assert tags(widened, "冰箱不制冷") == {"售后:破损"}
    assert tags(widened, "箱子一角裂开了") == {"售后:破损"}


def test_expand_false_keeps_the_rules_own_words() -> None:
    own = KeywordTagger(parse_rules(PARCELS.replace('keywords = ["破损", "压坏"]',
                                                    'keywords = ["破损", "压坏"]\nexpand = false')))
    assert tags(own, "箱子一角裂开了") == set()
    assert tags(own, "箱子压坏了") == {"售后:破损"}


GUESTHOUSE = f"""
[[keyword]]
tag = "入住:问题"
keywords = ["坏了", "漏水", "不干净"]
{NOT_MOOD}

[[keyword]]
tag = "投诉:卫生"
keywords = ["不干净", "没打扫干净", "有异味", "发霉"]
{NOT_MOOD}
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("淋浴的花洒有裂缝", {"入住:问题"}),       # three kinds named: every kind is heard
    ("楼上的地板一晚上吱吱响", {"入住:问题"}),
    ("门锁刷了好几次都刷不开", {"入住:问题"}),
    ("枕头套上有根头发丝", {"投诉:卫生"}),     # both name 不干净; the hygiene rule names more of its words
    ("房间一股烟味", {"投诉:卫生"}),
])
def test_three_kinds_bring_the_family_and_a_shared_group_goes_to_one_rule(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(GUESTHOUSE)), text) == expected


def test_three_groups_of_one_kind_are_not_three_kinds() -> None:
    hygiene = KeywordTagger(parse_rules('[[keyword]]\ntag = "投诉:卫生"\nkeywords = ["不干净", "有异味", "发霉"]\n'))
    assert tags(hygiene, "枕头套上有根头发丝") == {"投诉:卫生"}
    assert tags(hygiene, "空调遥控器没反应") == set()  # dirt, smell and mould: no fault is heard


def test_a_thing_named_with_how_it_fails_names_the_kind_only_among_defects() -> None:
    repairs = KeywordTagger(parse_rules(f'[[keyword]]\ntag = "售后:问题"\nkeywords = ["屏幕不亮", "触屏不灵"]\n'
                                        f'{NOT_MOOD}\n'))
    assert tags(repairs, "手机半夜自己死机") == {"售后:问题"}  # two keywords of a failing thing: the kind
    clubs = KeywordTagger(parse_rules('[[keyword]]\ntag = "服务:球具"\nkeywords = ["球杆坏了", "换握把"]\n'))
    assert tags(clubs, "球场的更衣室没热水") == set()         # one, in a service rule: the club, no kind
    assert tags(clubs, "我的球杆坏了") == {"服务:球具"}


def test_a_complaint_rule_keeps_to_the_kinds_it_names() -> None:
    complaint = KeywordTagger(parse_rules(
        '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉", "太脏", "有异味", "座椅坏了", "质量差"]\n'))
    assert tags(complaint, "房间里一股烟味") == {"诉求:投诉"}   # 有异味 names 异味
    for text in ("投影仪黑屏了", "音响有杂音", "是不是哪里出问题了"):
        assert tags(complaint, text) == set(), text
    judged = KeywordTagger(parse_rules('[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉", "太脏", "不卫生"]\n'))
    assert tags(judged, "厨房也太脏了") == {"诉求:投诉"}
    assert tags(judged, "柜子上有点灰尘，不碍事") == set()  # judgements name no group: a dusty shelf is no complaint


def test_a_rule_that_says_no_mood_refuses_a_defect_asked_or_expected() -> None:
    plain = KeywordTagger(parse_rules('[[keyword]]\ntag = "售后:问题"\nkeywords = ["坏了"]\n'))
    assert tags(plain, "这种插座容易坏吗") == set()
    assert tags(plain, "插座有点松，插头老掉") == set()  # 松动 is no kind of 故障's
    assert tags(plain, "插座冒烟了") == {"售后:问题"}


def test_a_noise_rule_hears_the_machine_failing_and_a_leak_rule_keeps_to_leaks() -> None:
    noise = KeywordTagger(parse_rules('[[keyword]]\ntag = "车况:问题"\nkeywords = ["异响"]\n'))
    assert tags(noise, "过减速带后排咯吱咯吱的") == {"车况:问题"}
    assert tags(noise, "仪表盘上故障灯一直亮") == {"车况:问题"}
    roof = KeywordTagger(parse_rules('[[keyword]]\ntag = "售后:问题"\nkeywords = ["漏水", "渗水"]\n'))
    assert tags(roof, "阳台顶上一下雨就漏雨") == {"售后:问题"}
    assert tags(roof, "门铃按了没反应") == set()


def test_an_unknown_group_in_expand_names_the_families_too() -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules('[[keyword]]\ntag = "售后:问题"\nkeywords = ["坏了"]\nexpand = ["缺点"]\n')
    assert "expand: no concept group '缺点'" in caught.value.errors[0]
    assert "families: 不适, 损害, 缺陷" in caught.value.errors[0]


def test_every_defect_group_has_a_kind_and_is_in_the_family() -> None:
    assert set(DEFECT_KINDS) == set(FAMILIES[DEFECT_FAMILY])
    assert set(DEFECTS) <= set(FAMILIES[DEFECT_FAMILY]) <= set(DEFAULT_CONCEPTS)


DISPENSERS = f"""
[[keyword]]
tag = "售后:故障"
keywords = ["坏了", "漏水", "异响"]
{NOT_MOOD}

[[keyword]]
tag = "售后:水质"
keywords = ["异味", "怪味"]
{NOT_MOOD}
"""


def test_a_group_the_family_brings_goes_to_the_rule_that_names_it() -> None:
    dispensers = KeywordTagger(parse_rules(DISPENSERS))
    assert tags(dispensers, "烧开的水有股霉味") == {"售后:水质"}   # 异味 is 水质's; 故障 gets it only by the family
    assert tags(dispensers, "出水口有一道裂纹") == {"售后:故障"}   # three kinds: 故障 hears every other kind
    [match] = dispensers.tag("饮水机底下一直滴水")
    assert match.matched == ("一直滴（≈漏水）",)                  # the leak stands for the rule's leak word


def test_a_failure_said_again_names_no_kind() -> None:
    rule = f'[[keyword]]\ntag = "售后:返修"\nkeywords = ["返修", "又坏了", "还是不制冷", "又漏水"]\n{NOT_MOOD}\n'
    redo = KeywordTagger(parse_rules(rule))
    assert tags(redo, "修完第三天又坏了") == {"售后:返修"}
    assert tags(redo, "新买的冰箱门关不严") == set()  # a first failure: no repair came back
