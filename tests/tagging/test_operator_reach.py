"""An operator's few words reach what customers say: the swimming school of tests/data/swim_tags.toml,
on sentences of tests/data/swim_dev.jsonl and others like them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tagging.concepts import DEFAULT_CONCEPTS, groups_of
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import tags

SWIM = Path(__file__).resolve().parents[1] / "data" / "swim_tags.toml"
UNWELL = "健康:不适"


@pytest.fixture(scope="module")
def swim() -> KeywordTagger:
    return KeywordTagger(load_rules(SWIM))


def test_a_sign_written_with_its_place_names_the_sign() -> None:
    assert "疼" in groups_of(["眼睛疼"], DEFAULT_CONCEPTS)
    assert "痒" in groups_of(["皮肤痒"], DEFAULT_CONCEPTS)
    assert groups_of(["不疼"], DEFAULT_CONCEPTS) == []       # a negator is no place
    assert groups_of(["收费太贵"], DEFAULT_CONCEPTS) == []    # only the signs are read so (太贵 is a price word)


@pytest.mark.parametrize("text", [
    "昨天游完回来眼睛有点痒，一直在揉",       # 眼睛疼, 耳朵疼, 皮肤痒, 发红: the family of discomfort
    "孩子说耳朵胀胀的，像进水了",
    "游完泳鼻子一直不舒服，老打喷嚏",
    "今天下水后孩子说头有点疼",
    "孩子游完泳眼睛有点红",
    "种完牙那边还隐隐作痛",
])
def test_discomfort_in_words_the_operator_did_not_list(swim: KeywordTagger, text: str) -> None:
    assert UNWELL in tags(swim, text)


@pytest.mark.parametrize("text", [
    "孩子会不会眼睛痒啊，要不要买个泳镜",     # a worry, a question
    "游完那天后背痒了一晚上，第二天就好了",   # gone
    "听别的家长说游完皮肤会干",              # hearsay
])
def test_not_a_report(swim: KeywordTagger, text: str) -> None:
    assert UNWELL not in tags(swim, text)


def test_expand_false_keeps_the_operators_words() -> None:
    rules = parse_rules("""
[[keyword]]
tag = "健康:不适"
keywords = ["眼睛疼", "耳朵疼", "发红", "皮肤痒"]
expand = false
""")
    assert tags(KeywordTagger(rules), "眼睛有点痒") == set()


OPTICIAN = """
[[keyword]]
tag = "项目:配镜"
keywords = ["配镜", "配眼镜", "镜框"]
negatable = false

[[keyword]]
tag = "项目:验光"
keywords = ["验光", "查视力"]
negatable = false
"""


@pytest.mark.parametrize(("text", "tag"), [
    ("上周测过水平了，分在哪个班", "项目:测评"),      # 测水平 said with its object apart
    ("测完水平多久出结果", "项目:测评"),
])
def test_a_topic_verb_apart_from_its_object(swim: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(swim, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("去年在商场验过一次光", "项目:验光"),
    ("放学顺路过去查个视力", "项目:验光"),
    ("老人家的那副能不能一起配", "项目:配镜"),           # 配 alone: 配镜 and 配眼镜 are built on it
])
def test_an_opticians_verbs(text: str, tag: str) -> None:
    assert tag in tags(KeywordTagger(parse_rules(OPTICIAN)), text)


def test_a_word_the_segmenter_knows_stays_itself() -> None:
    assert tags(KeywordTagger(parse_rules(OPTICIAN)), "请配合一下前台登记") == set()


@pytest.mark.parametrize("text", [
    "小班课一节多少",                      # how much for one of a thing sold by a measure
    "私教多少一节？",
    "暑假班一期多少",
    "学会蛙泳全部下来要多少",              # how much for all of it
    "这一套课一共多少钱呀",
    "现在报名有没有买十送二",              # so many free with so many bought
])
def test_a_price_asked_per_unit_in_total_or_as_an_offer(swim: KeywordTagger, text: str) -> None:
    assert "关注:价格" in tags(swim, text)


@pytest.mark.parametrize("text", [
    "一共多少节课能学会",                  # 多少 with a noun after it counts classes
    "暑假班一期多少节课",
    "孩子现在能游多少米了",
])
def test_how_many_is_no_price(swim: KeywordTagger, text: str) -> None:
    assert "关注:价格" not in tags(swim, text)


@pytest.mark.parametrize("text", [
    "新来的教练说话语气很冲，孩子都不敢下水了",   # the manner judged, no complaint word
    "救生员态度恶劣，家长问一句就吼",
    "什么套路，先交钱才能看分班结果",              # sarcasm
    "学了两期还不会换气，你们到底行不行",          # a challenge
])
def test_a_judgement_without_the_operators_words(swim: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(swim, text)


@pytest.mark.parametrize("text", [
    "服务态度也不差啊",                            # denied
    "我说话太冲了，跟教练道个歉",                  # the customer's own
    "教练态度挺好，就是水有点凉",
])
def test_no_judgement(swim: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(swim, text)


@pytest.mark.parametrize("text", [
    "测评是免费的吗",
    "泳帽要钱吗还是送的",
    "充值卡里的积分能抵扣学费吗",
])
def test_free_or_paid_is_a_price_question(swim: KeywordTagger, text: str) -> None:
    assert "关注:价格" in tags(swim, text)


def test_free_told_is_no_question(swim: KeywordTagger) -> None:
    assert "关注:价格" not in tags(swim, "停车场免费的，直接开进来就行")


@pytest.mark.parametrize("text", ["这周日下午可以过来上体验课吗", "私教周三晚上可以约吗"])
def test_a_time_with_may_i_come_books(swim: KeywordTagger, text: str) -> None:
    assert "意向:预约" in tags(swim, text)


def test_a_topic_inside_the_word_it_shortens() -> None:
    rules = parse_rules("""
[[keyword]]
tag = "项目:理论"
keywords = ["模拟考", "题库"]
negatable = false

[[keyword]]
tag = "项目:考试"
keywords = ["模拟考试", "正式考试"]
negatable = false
""")
    # 模拟考试, another rule's word, is one token: the shortened 模拟考 is still named inside it.
    assert tags(KeywordTagger(rules), "昨晚又做了一套模拟考试，才七十分") == {"项目:理论", "项目:考试"}


@pytest.mark.parametrize(("text", "tag"), [
    ("我们到店门口了，孩子在换衣服", "意向:预约"),       # an arrival
    ("学费已经退回来了，收到", "诉求:退款"),             # money already back
    ("我们是王教练介绍过来的，想问下暑假班", "意向:转介绍"),  # referred, not referring
])
def test_what_only_looks_like_the_intent(swim: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(swim, text)


def test_a_group_exclude_is_added_to_the_operators_own() -> None:
    rules = parse_rules("""
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]
""")
    tagger = KeywordTagger(rules)
    assert tags(tagger, "周三那个预约取消吧") == set()
    assert tags(tagger, "想预约周三下午") == {"意向:预约"}
    own = KeywordTagger(parse_rules("""
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约"]
expand = false
"""))
    assert tags(own, "周三那个预约取消吧") == {"意向:预约"}


REPAIR = Path(__file__).resolve().parents[1] / "data" / "repair_tags.toml"
PROBLEM = "售后:问题"


@pytest.fixture(scope="module")
def repair() -> KeywordTagger:
    return KeywordTagger(load_rules(REPAIR))


@pytest.mark.parametrize("text", [
    "修完拿回来屏幕还是不亮",          # 屏幕不亮 with an adverb between the thing and what is wrong
    "昨天换的电池，今天信号也不好了",
    "触屏总是不灵，点三下才有反应",
    "拿回来发现后盖磕坏了一个角",      # 屏幕刮花 names the harm: 磕坏 is harm too
    "贴膜的时候把摄像头划花了",
])
def test_a_problem_in_the_customers_order(repair: KeywordTagger, text: str) -> None:
    assert PROBLEM in tags(repair, text)


@pytest.mark.parametrize("text", [
    "信号一直都挺好的，就是电池不耐用",
    "会不会修完屏幕还是不亮啊",        # a worry
    "修好以后声音都对了，谢谢师傅",
])
def test_no_problem(repair: KeywordTagger, text: str) -> None:
    assert PROBLEM not in tags(repair, text)


@pytest.mark.parametrize("text", [
    "客服回消息也太不及时了，问个课表等一天",     # 太 before a negated word judges strongly
    "你们分班也太不合理了，六岁和十岁一个班",
    "更衣室太不卫生了，地上全是头发",
])
def test_too_not_is_a_strong_judgement(swim: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(swim, text)


@pytest.mark.parametrize("text", [
    "真是太不好意思了，今天堵车来晚了",           # an apology
    "一个人带两个娃来上课太不容易了",             # sympathy
    "今天太不巧了，刚到就下暴雨",                 # bad luck
    "孩子太不自觉了，回家都不肯练",               # the customer's own child
])
def test_too_not_that_judges_nothing_of_the_business(swim: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(swim, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("How much for the summer class?", "关注:价格"),        # a phrase of the default vocabulary
    ("私教 how much 一节", "关注:价格"),
    ("Can I get my money back for the unused lessons?", "诉求:退款"),  # kept beside the file's own spellings
    ("His eyes are itchy after swimming today", UNWELL),   # a sign said in English
])
def test_english_the_operator_did_not_list(swim: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(swim, text)


def test_an_operators_spellings_add_to_the_defaults() -> None:
    rules = parse_rules("""
[aliases]
"退款" = ["tuiqian"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款"]
""")
    tagger = KeywordTagger(rules)
    assert tags(tagger, "tuiqian") == tags(tagger, "refund") == {"诉求:退款"}
