"""Ways customers of many trades say an intent that an operator's few words miss: a return with no reason
asked (七天无理由) is no negation, and a state that stopped (已经不…了) is a reason to opt out, no matter
settled. The rules are a luggage shop's, a trade no development set has, written from docs/tagging.md."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.model import mostly_latin
from bot.tagging.negation import negated_before
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

LUGGAGE_SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "退钱", "能退"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别再发"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(LUGGAGE_SHOP))


@pytest.mark.parametrize("text", [
    "拉杆箱颜色不太喜欢，七天无理由能退吗",
    "双肩包背着有点硌，支持无理由退款吧",
    "无条件退款是真的吗，买回去不合适能退吗",
])
def test_a_return_with_no_reason_asked_is_no_negation(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "不能无理由退吗",                        # the negator before it still denies
    "钱包过了七天就不能退了",
])
def test_a_refund_still_denied(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" not in tags(shop, text)


@pytest.mark.parametrize("text", [
    "我已经不出差了，新款旅行箱不用通知我",
    "孩子已经没在用书包了，以后活动不用告诉我",
])
def test_a_state_that_stopped_is_a_reason_to_opt_out(shop: KeywordTagger, text: str) -> None:
    assert "状态:退订" in tags(shop, text)


@pytest.mark.parametrize("text", [
    "已经下单了，不用再打电话确认了",         # a matter done: nothing more needed
    "箱子已经寄回去了，不用再发地址了",
])
def test_a_matter_done_is_still_settled(shop: KeywordTagger, text: str) -> None:
    assert "状态:退订" not in tags(shop, text)


TENNIS_CLUB = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约", "预订", "订场"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "优惠", "便宜"]

[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "不满意", "不专业"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def club() -> KeywordTagger:
    return KeywordTagger(parse_rules(TENNIS_CLUB))


@pytest.mark.parametrize("text", [
    "想订下周六上午的室内场",                 # 订 with a time to come and a wish: the 预约 group's timed words
    "明晚七点我订两片场地",
])
def test_a_bare_order_verb_with_a_time_books(club: KeywordTagger, text: str) -> None:
    assert "意向:预约" in tags(club, text)


@pytest.mark.parametrize("text", [
    "上周六订的场地灯不太亮",                 # a time gone by: a report
    "订场的小程序挺好用",                     # no time to come
])
def test_a_bare_order_verb_without_a_time_to_come_books_nothing(club: KeywordTagger, text: str) -> None:
    assert "意向:预约" not in tags(club, text)


@pytest.mark.parametrize("text", [
    "公司十几个人一起打，能给个团队价吗",
    "介绍朋友来办卡有返点吗",
    "球拍包邮吗，我在外地",
    "换根线连工带料要多少",
    "帮我改个价吧，一次买三筒球",
])
def test_more_ways_of_asking_a_price(club: KeywordTagger, text: str) -> None:
    assert "关注:价格" in tags(club, text)


@pytest.mark.shipped_model
def test_a_message_mostly_in_english_is_not_taken_back_by_the_model() -> None:
    """The shipped model reads Chinese n-grams: on an English message it has nothing to weigh."""
    checked = KeywordTagger(parse_rules(TENNIS_CLUB))
    assert "诉求:投诉" in tags(checked, "The coach kept checking his phone during my whole lesson. 太不专业了")


def test_mostly_latin() -> None:
    assert mostly_latin("refund please, the strings broke after one day. 不满意")
    assert not mostly_latin("ok镜多少钱一副")


BAKERY_SCHOOL = """
[[keyword]]
tag = "定制:裱花"
keywords = ["裱花", "写字"]

[[keyword]]
tag = "课程:插班"
keywords = ["插班", "跟班"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "加钱"]
"""


@pytest.fixture(scope="module")
def bakery() -> KeywordTagger:
    return KeywordTagger(parse_rules(BAKERY_SCHOOL))


@pytest.mark.parametrize(("text", "tag"), [
    ("写字的话能写英文吗", "定制:裱花"),          # the rule's own act as the premise of a question
    ("插班的话下周一能来吗", "课程:插班"),
])
def test_a_rules_own_act_supposed_before_a_question_is_asked_about(bakery: KeywordTagger, text: str,
                                                                     tag: str) -> None:
    assert tag in tags(bakery, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("写字的话要加钱吗", "定制:裱花"),            # only what it costs is asked
    ("插班的话学费怎么算", "课程:插班"),
    ("如果插班跟不上的话我就不报了", "课程:插班"),  # a real supposition
])
def test_a_supposed_act_whose_price_is_asked_stays_supposed(bakery: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(bakery, text)


@pytest.mark.parametrize("text", [
    "行李箱没拆封能退吗",                     # 没 denies 拆封, the modal opens a new phrase
    "没用过可以退吗，吊牌还在",
])
def test_a_negator_reaches_no_further_than_its_own_phrase(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" in tags(shop, text)


@pytest.mark.parametrize("text", ["不太能退吧", "是不是不能退", "我不想退钱"])
def test_a_negator_before_its_keyword_still_denies(shop: KeywordTagger, text: str) -> None:
    assert "诉求:退款" not in tags(shop, text)


@pytest.mark.parametrize(("tokens", "denied"), [
    (["没", "货", "的话", "就", "退钱", "吧"], False),   # a condition's close ends the denied phrase
    (["不", "来", "就", "帮我订"], False),                # and so does its consequence
    (["没", "拆封", "能退", "吗"], False),
    (["不", "太", "能退", "吧"], True),
    (["暂时", "不", "退钱"], True),
])
def test_what_a_negator_reaches(tokens: list[str], denied: bool) -> None:
    keyword = len(tokens) - 2 if tokens[-1] in ("吧", "吗") else len(tokens) - 1
    assert negated_before(tokens, keyword, 0) is denied


SHOE_SHOP = """
[[keyword]]
tag = "售后:换货"
keywords = ["换货", "能换"]

[[keyword]]
tag = "意向:以旧换新"
keywords = ["以旧换新", "换新"]
"""


@pytest.fixture(scope="module")
def shoes() -> KeywordTagger:
    return KeywordTagger(parse_rules(SHOE_SHOP))


@pytest.mark.parametrize("text", [
    "跑鞋有点挤脚，帮我换一双大一码的",
    "这个颜色太艳了，想换成米白色",
    "发来的是左脚两只，给我换过来",
])
def test_an_exchange_in_other_words(shoes: KeywordTagger, text: str) -> None:
    assert "售后:换货" in tags(shoes, text)


@pytest.mark.parametrize("text", [
    "取鞋的时间能换成周六吗",                 # a time moved
    "旧鞋拿来以旧换新能换一个吗",             # a trade-in
])
def test_what_is_no_exchange_of_the_group(shoes: KeywordTagger, text: str) -> None:
    assert "售后:换货" not in tags(shoes, text)


WATCH_REPAIR = """
[[keyword]]
tag = "催单:进度"
keywords = ["进度", "修好了吗"]
"""


@pytest.mark.parametrize("text", ["表带换好没有", "表盘改好没", "机芯保养大概还要几天"])
def test_a_job_chased_without_its_aspect(text: str) -> None:
    assert "催单:进度" in tags(KeywordTagger(parse_rules(WATCH_REPAIR)), text)


@pytest.mark.parametrize("text", ["换电池一般要几天", "表带换好了，谢谢"])
def test_a_job_asked_before_or_told_done_is_not_chased(text: str) -> None:
    assert "催单:进度" not in tags(KeywordTagger(parse_rules(WATCH_REPAIR)), text)
