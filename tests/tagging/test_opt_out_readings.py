"""What a refusal refuses: one thing, one way of reaching the customer, a send done wrong, someone else's
opt-out, an opt-out taken back, a booking cancelled (bot/tagging/opt_out.py; issue 11, session 28).

Every sentence is new. A false opt-out silences a customer who never asked, so each reading is tested on
the shipped rules and on an operator's day-one rule alike, and the opt-outs that must stay are tested too.
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import SHIPPED, tags

OPT_OUT = "状态:退订"
# An operator's opt-out rule as a new operator writes it from docs/tagging.md.
OPERATOR = """
[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别再发", "不要再发", "别打电话", "td"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约", "到店"]
"""

NOT_OPT_OUTS = {
    "one_thing": [
        "收据不用再寄了，我已经拿到了",
        "报价单我看过了，不用再发一遍",
        "不用再发位置了，导航找到了",
        "二维码不用再发了，已经扫过了",
        "体检报告的链接别再发了，我存下来了",
        "申请表我交上去了，不用再发我了",
        "别再把发票寄错地方了",
        "用药须知不用再发了，我存好了",
    ],
    "booking": [
        "我想退订下周的房间，行程改了",
        "那间大床房帮我退订一下，定金怎么退",
        "机票我已经退订了，酒店还留着",
        "把视频网站的会员退订了，省点钱",
    ],
    "other_channel": [
        "别打电话，我在开车，有事发微信",
        "现在在医院不方便接，别打电话了，打字吧",
        "别发语音了 我在开会 文字发我就行",
        "发我邮箱就行，别发给我老公",
        "别给我婆婆打电话了，她耳朵不好，有事找我",
        "电话别打了，我在开会，有事发微信",
    ],
    "for_now": [
        "明天上午别给我打电话，要开一整天会",
        "今天先别发了，我在外地出差",
        "上课别打她手表电话，老师会收走",
    ],
    "muted": [
        "家长群我设成免打扰了，所以回得慢",
        "公众号我设置了免打扰，看到再回",
    ],
    "corrected": [
        "别再发错地址了，师傅又跑空了",
        "下次别再发错名字了，我姓陈",
    ],
    "someone_else": [
        "我闺蜜说她退订了你们还在发",
        "我同事也退订了，说是太频繁",
        # described by it: the person who opted out
        "昨天那个退订的客人是我表姐",
        "班里退群的那个同学不是我们家的",
    ],
    "taken_back": [
        "之前退订了，现在想报个暑假班",
        "退订以后还能用积分吗",
        "我之前说别发了，现在又想看看有什么新课",
        "上回退订是误点的，麻烦再加回来",
    ],
}
OPT_OUTS = [
    "合同的事办完了，以后别再发消息了",
    "照片收到了，谢谢，以后活动通知就别发了",
    "以后别打电话了，有事我会联系你们",
    "别再推送了，我在上班看着烦",
    "我已经退订了，为什么还在给我发短信",
    "之前退订过一次，你们怎么又发了",
    "不要再给我发优惠券链接了",
    "你们的链接天天发，别再发了",
    "早就说过别再发了，听不懂吗",
    "以后不要给我打电话，也不要发微信",
    "她说你们天天发广告，我也要退订",
    "别再发了",
    "TD",
    "从今天开始别发了",
    "上午不要打电话，下午也别打了",
    "前几天点了退订，可以帮我确认下吗",
    "设置里怎么开免打扰",
    "我把你们设置成免打扰了，别再发了",
]


def _cases() -> list[tuple[str, str]]:
    return [(reading, text) for reading, texts in NOT_OPT_OUTS.items() for text in texts]


@pytest.fixture(scope="module")
def shipped() -> KeywordTagger:
    return KeywordTagger(load_rules(SHIPPED))


@pytest.fixture(scope="module")
def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(OPERATOR))


@pytest.mark.parametrize(("reading", "text"), _cases())
def test_a_refusal_of_something_else_is_no_opt_out_with_the_shipped_rules(shipped: KeywordTagger, reading: str,
                                                                           text: str) -> None:
    assert OPT_OUT not in tags(shipped, text), reading


@pytest.mark.parametrize(("reading", "text"), _cases())
def test_a_refusal_of_something_else_is_no_opt_out_with_an_operator_s_rule(operator: KeywordTagger, reading: str,
                                                                            text: str) -> None:
    assert OPT_OUT not in tags(operator, text), reading


@pytest.mark.parametrize("text", OPT_OUTS)
def test_the_opt_outs_stay(shipped: KeywordTagger, operator: KeywordTagger, text: str) -> None:
    assert OPT_OUT in tags(shipped, text)
    assert OPT_OUT in tags(operator, text)


def test_a_booking_cancelled_still_asks_what_it_asks(shipped: KeywordTagger) -> None:
    assert tags(shipped, "房间我要退订，钱多久能退回来") == {"诉求:退款"}


@pytest.mark.parametrize(("lists", "text"), [
    ("sent_things = []", "二维码不用再发了，已经扫过了"),
    ("booked_things = []", "我想退订下周的房间，行程改了"),
    ("kept_channels = []", "别打电话，我在开车，有事发微信"),
    ("busy = []", "别打电话，我在开车，有事发微信"),
    ("send_faults = []", "下次别再发错名字了，我姓陈"),
    ("held_wishes = []", "之前退订了，现在想报个暑假班"),
])
def test_each_reading_is_operator_data(lists: str, text: str) -> None:
    assert OPT_OUT not in tags(KeywordTagger(parse_rules(OPERATOR)), text)
    emptied = KeywordTagger(parse_rules(f"{OPERATOR}\n[language]\n{lists}\n"))
    assert OPT_OUT in tags(emptied, text)


def test_an_operator_s_own_not_mood_keeps_the_readings() -> None:
    own = OPERATOR.replace('"td"]\n', '"td"]\nnot_mood = ["hypothetical"]\n', 1)
    tagger = KeywordTagger(parse_rules(own))
    assert OPT_OUT not in tags(tagger, "报价单我看过了，不用再发一遍")
    assert OPT_OUT not in tags(tagger, "要是不想收了，我就回复退订")


def test_a_thing_named_with_the_messages_refuses_the_messages(operator: KeywordTagger) -> None:
    assert OPT_OUT in tags(operator, "活动链接别再发了")
    assert OPT_OUT in tags(operator, "发票收到了，以后别再发广告了")


# What the shipped opt-out rule knows, heard by an operator's day-one rule through the 退订 group (session 28).
DAY_ONE = '[[keyword]]\ntag = "状态:退订"\nkeywords = ["退订", "别再发"]\n'


@pytest.mark.parametrize("text", [
    "麻烦停止给我发送会员信息",
    "我搬家了，以后别再联系了",
    "不用发消息给我了，课已经上完了",
    "拜托别发短信了，我手机快满了",
    "把我从会员名单里去掉吧",
    "服务号的推送可以停了",
    "每天推送太烦了，帮我关了吧",
    "营销短信太多了，麻烦取消",
    "我不想再收到你们的活动了",
    "再推销我就拉黑了",
    "以后别推销课程了",
    "以后别打什么推广电话了",
    "不需要这些广告了，谢谢",
    "别再把我拉群了，用不上",
])
def test_an_operator_s_rule_hears_what_the_shipped_rule_knows(text: str) -> None:
    assert tags(KeywordTagger(parse_rules(DAY_ONE)), text) == {OPT_OUT}


def test_an_opt_out_rule_hears_the_group_whatever_its_words() -> None:
    own = KeywordTagger(parse_rules('[[keyword]]\ntag = "状态:退订"\nkeywords = ["TD", "别烦我"]\n'))
    assert tags(own, "请停止发送短信") == {OPT_OUT}
    assert tags(own, "退订") == {OPT_OUT}
    kept = KeywordTagger(parse_rules('[[keyword]]\ntag = "状态:退订"\nkeywords = ["TD", "别烦我"]\nexpand = false\n'))
    assert tags(kept, "请停止发送短信") == set()


@pytest.mark.parametrize("text", ["停止营业了吗", "预约取消掉，疗程先停掉", "每天推荐的课程都挺好", "别忘了加我微信"])
def test_what_only_looks_like_it_is_no_opt_out(text: str) -> None:
    assert tags(KeywordTagger(parse_rules(DAY_ONE)), text) == set()


@pytest.mark.parametrize(("text", "expected"), [
    ("到期提醒就不用发了，我记着呢", set()),  # the customer keeps it in mind: a reminder needed no more
    ("不用提醒了，我手机上设了闹钟", set()),
    ("到期提醒就不用发了，以后活动也别发", {OPT_OUT}),  # nothing kept in mind: the messages are refused
])
def test_a_reminder_the_customer_keeps_in_mind_is_no_opt_out(text: str, expected: set[str]) -> None:
    assert tags(KeywordTagger(parse_rules(DAY_ONE)), text) == expected


def test_remembered_is_operator_data() -> None:
    own = KeywordTagger(parse_rules('[language]\nremembered = []\n' + DAY_ONE))
    assert tags(own, "到期提醒就不用发了，我记着呢") == {OPT_OUT}
