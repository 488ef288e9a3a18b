"""An operator's plain rules, written once from docs/tagging.md, hear more of what customers say."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# As the docs' example writes them: a few literal words, default moods.
OPERATOR = """
[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "价格", "贵", "优惠"]
yield_to = ["诉求:退款"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "退钱", "能退"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "hearsay"]

[[keyword]]
tag = "售后:不适"
keywords = ["疼", "肿", "淤青"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised"]
"""


@pytest.fixture(scope="module")
def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(OPERATOR))


@pytest.mark.parametrize("text", [
    "做两次的话总共多少钱",            # a price asked under a condition is asked all the same
    "如果办年卡，一个月合多少钱",
    "万一超时了，钱怎么算",
    "就怕太贵",                        # a worry about the price is a price concern
    "停车要另外交钱吗",                # an extra charge, no price word
    "毛巾是送的吗",                    # what is included free
    "儿童票和成人票的钱怎么算",
])
def test_a_price_is_asked_without_the_operators_words_or_under_a_condition(operator: KeywordTagger,
                                                                          text: str) -> None:
    assert tags(operator, text) == {"关注:价格"}


def test_a_refund_asked_under_a_condition_is_still_no_refund(operator: KeywordTagger) -> None:
    assert tags(operator, "万一做完没效果能退吗") == set()


@pytest.mark.parametrize("text", ["打完针胳膊青了一块", "膝盖那里紫了一片", "按完腰上发青"])
def test_a_bruise_is_heard_by_its_colour(operator: KeywordTagger, text: str) -> None:
    assert tags(operator, text) == {"售后:不适"}


@pytest.mark.parametrize("text", ["看着年轻了好几岁", "青菜是自己带还是你们准备"])
def test_green_and_young_are_no_bruise(operator: KeywordTagger, text: str) -> None:
    assert "售后:不适" not in tags(operator, text)


DEPOSIT = """
[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "优惠", "定金", "学费"]
yield_to = ["诉求:退款"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "能退"]
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("押金和定金各要多少", {"关注:价格"}),
    ("定金要交多少", {"关注:价格"}),
    ("学费可以按季度付吗", {"关注:价格"}),                 # a way of charging (按*付)
    ("定金付过了，下周几点过去", set()),                   # a deposit paid is no price question
    ("学费昨天转给前台了", set()),
    ("定金付了三千，后来家里不同意，这钱能退吗", {"诉求:退款"}),
    ("定金的发票还没开给我", set()),
])
def test_an_operators_deposit_or_fee_is_a_price_only_where_it_is_asked(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(DEPOSIT)), text) == expected


REFERRAL = '[[keyword]]\ntag = "意向:转介绍"\nkeywords = ["介绍", "推荐", "带朋友"]\n'


@pytest.mark.parametrize(("text", "expected"), [
    ("我老婆问停车场在哪", set()),              # a partner asks on the household's behalf
    ("我对象问周日开不开门", set()),
    ("我闺蜜问你们家有没有夜场", {"意向:转介绍"}),  # a friend's question is a referral
    ("下次带我老公一起来", {"意向:转介绍"}),
])
def test_a_partners_question_refers_no_one(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(REFERRAL)), text) == expected


TOPICS = """
[[keyword]]
tag = "项目:洗车"
keywords = ["洗车", "精洗", "洗内饰"]
negatable = false

[[keyword]]
tag = "项目:空调清洗"
keywords = ["空调清洗", "油烟机"]
negatable = false

[[keyword]]
tag = "项目:入住"
keywords = ["入住", "住月子", "房型"]
negatable = false
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("下雨天还洗吗", {"项目:洗车"}),                    # the topic's verb said alone
    ("今天人多不多，想过来洗一下", {"项目:洗车"}),
    ("上次洗完第二天就脏了", {"项目:洗车"}),
    ("洗手间在哪边", set()),                            # a longer word the segmenter knows
    ("油烟机也能洗吗", {"项目:空调清洗"}),              # the verb of another topic's thing
    ("能不能多住三天", {"项目:入住"}),
    ("生完想在你们这住一个月", {"项目:入住"}),
    ("好的，记住了", set()),
    ("住院那几天没睡好", set()),
])
def test_a_topics_verb_said_alone_names_the_topic(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(TOPICS)), text) == expected


def test_a_rule_that_keeps_to_its_words_hears_no_verb_alone() -> None:
    rules = TOPICS.replace('negatable = false\n', 'negatable = false\nexpand = false\n', 1)
    assert tags(KeywordTagger(parse_rules(rules)), "下雨天还洗吗") == set()


@pytest.mark.parametrize(("text", "expected"), [
    ("jingxi要多久", {"项目:洗车"}),          # a rule's own word typed in pinyin
    ("ruzhu要提前多久说", {"项目:入住"}),
    ("Xichen能一起做吗", set()),               # no keyword's spelling
    ("xi一下要多久", set()),                   # a one-character syllable is too short to be meant
])
def test_an_operators_words_typed_in_pinyin_are_read(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(TOPICS)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("jing xi yao duo jiu", {"项目:洗车"}),     # syllable by syllable
    ("zhu yue zi de hua fang xing you na xie", {"项目:住月子", "项目:入住"}),
    ("xi neishi", {"项目:洗车"}),               # word by word
    ("ru zhu", {"项目:入住"}),
    ("the jing is xi", set()),                  # syllables apart across an English word
    ("ruz hu", set()),                          # a break inside a syllable
])
def test_an_operators_words_typed_in_pinyin_apart_are_read(text: str, expected: set[str]) -> None:
    confinement = '[[keyword]]\ntag = "项目:住月子"\nkeywords = ["住月子"]\nnegatable = false\n'
    rules = TOPICS.replace('"住月子", ', "") + confinement
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected


def test_a_rule_without_pinyin_reads_no_spelling() -> None:
    rules = TOPICS.replace('negatable = false\n', 'negatable = false\npinyin = false\n', 1)
    assert tags(KeywordTagger(parse_rules(rules)), "jingxi要多久") == set()


AFTERCARE = """
[[keyword]]
tag = "售后:问题"
keywords = ["气泡", "翘边", "色差", "异响", "划痕", "掉色"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised"]
"""


@pytest.mark.parametrize("text", [
    "贴完第二天边角就翘起来了",
    "车门喷的漆有橘皮",
    "膜下面好多杂质",
    "换完轮胎方向盘一直抖",
    "发动机声音比原来大多了",
])
def test_a_flawed_finish_or_a_new_fault_is_heard_by_the_family(text: str) -> None:
    assert tags(KeywordTagger(parse_rules(AFTERCARE)), text) == {"售后:问题"}


def test_a_skin_rule_with_blisters_hears_no_film_defect() -> None:
    skin = '[[keyword]]\ntag = "术后:不适"\nkeywords = ["起泡", "红肿", "痒"]\n'
    assert tags(KeywordTagger(parse_rules(skin)), "膜下面好多杂质") == set()


@pytest.mark.parametrize(("text", "expected"), [
    ("标间和大床房有什么区别", {"项目:入住"}),     # the 入住 group: rooms, booking, checking out
    ("退房最晚几点", {"项目:入住"}),
    ("家属可以陪住吗", {"项目:入住"}),
    ("乳房胀痛怎么办", set()),                      # 房 inside another word is no room
    ("厨房的油烟机也能弄吗", set()),
])
def test_a_stay_is_heard_by_its_rooms(text: str, expected: set[str]) -> None:
    stay = '[[keyword]]\ntag = "项目:入住"\nkeywords = ["入住", "房型"]\nnegatable = false\n'
    assert tags(KeywordTagger(parse_rules(stay)), text) == expected


INN = """
[[keyword]]
tag = "意向:订房"
keywords = ["订房", "续住"]

[[keyword]]
tag = "房型:套房"
keywords = ["套房"]
negatable = false
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("套房带不带阳台", {"房型:套房"}),
    ("房间的窗帘拉不上", set()),                    # a room, not the suite, and no booking
    ("明天中午之前要退房吗", set()),                # checking out books nothing
    ("标间还剩几间", set()),                        # another room type
    ("下周五想订房，两个人", {"意向:订房"}),
])
def test_a_room_type_or_a_booking_rule_does_not_hear_every_room(text: str, expected: set[str]) -> None:
    # 订房 and 套房 are KINDS of the 入住 group: a 入住 rule hears them, they do not bring the group.
    assert tags(KeywordTagger(parse_rules(INN)), text) == expected


YARD = """
[[keyword]]
tag = "项目:科目二"
keywords = ["倒车入库", "坡道起步", "侧方停车"]
negatable = false

[[keyword]]
tag = "项目:写真"
keywords = ["个人写真"]
negatable = false
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("今天练倒库练了一下午", {"项目:科目二"}),      # first and last character
    ("坡起总是熄火", {"项目:科目二"}),              # the first characters of its two words
    ("倒车的时候总压线", set()),                    # a word of its own, no abbreviation
    ("这个真好看", set()),                          # 个人写真 is not 个真 across words
])
def test_a_topics_four_character_word_is_heard_shortened(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(YARD)), text) == expected
