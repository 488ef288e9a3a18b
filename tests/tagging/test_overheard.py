"""Someone's words passed on in a message that asks and requests nothing (`overheard`, bot/tagging/moods.py) want
nothing of the customer's now: every negatable rule refuses them whatever `not_mood` an operator wrote
(`NEGATABLE_NOT_MOOD` in bot/tagging/concepts.py), but a price rule, a referral rule and the opt-out rule keep them.
A question or a request anywhere in the message makes the words the customer's wish again.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import taggers, tags

# Rules as an operator writes them once from docs/tagging.md: a piano tuner, a bike shop, a pet groomer.
_PIANO = """
[[keyword]]
tag = "服务:调音"
keywords = ["调音", "调琴", "校音"]

[[keyword]]
tag = "意向:上门"
keywords = ["上门", "过来一趟"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "贵", "便宜"]

[[keyword]]
tag = "意向:转介绍"
keywords = ["介绍朋友", "{亲友}也想"]

[vocab]
"亲友" = ["朋友", "同事", "邻居"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订", "别再发"]
"""

_BIKES = """
[[keyword]]
tag = "售后:维修"
keywords = ["修车", "补胎", "换链条"]

[[keyword]]
tag = "会员:保养卡"
keywords = ["保养卡", "年度保养"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""

_GROOMING = """
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约个", "洗澡"]

[[keyword]]
tag = "服务:美容"
keywords = ["修毛", "美容", "剪指甲"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def trades() -> dict[str, KeywordTagger]:
    return taggers(piano=_PIANO, bikes=_BIKES, grooming=_GROOMING)


@pytest.mark.parametrize(("trade", "text"), [
    ("piano", "隔壁琴行的老板说你们调音特别细"),
    ("piano", "听楼下说你们上门从来不迟到"),
    ("bikes", "我同学说你们补胎手艺是这条街最好的"),
    ("bikes", "师傅说年度保养一般开春做最合适"),
    ("grooming", "邻居说你们给她家泰迪修毛修得很精神"),
])
def test_words_passed_on_ask_nothing(trades: dict[str, KeywordTagger], trade: str, text: str) -> None:
    assert tags(trades[trade], text) == set()


@pytest.mark.parametrize(("trade", "text", "expected"), [
    ("piano", "朋友说你们调音很准，下周能上门吗", {"服务:调音", "意向:上门"}),  # then asks
    ("piano", "老师说琴该调音了，麻烦安排个师傅", {"服务:调音"}),  # then requests
    ("bikes", "朋友说你们补胎很快？", {"售后:维修"}),  # the words themselves asked
    ("bikes", "同学说年度保养送清洗，一共送几次", {"会员:保养卡"}),
    ("grooming", "我想约个洗澡，周六下午", {"意向:预约"}),  # no one's words passed on
    ("grooming", "我妈说狗狗该美容了，帮我约个周日", {"服务:美容", "意向:预约"}),
])
def test_a_question_or_request_keeps_them(trades: dict[str, KeywordTagger], trade: str, text: str,
                                          expected: set[str]) -> None:
    assert tags(trades[trade], text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("听人说你们调音挺贵的", {"关注:价格"}),  # a price heard of is still a price concern
    ("同事说她也想学琴，说你们老师介绍朋友有优惠", {"意向:转介绍"}),  # a referral rule keeps them
])
def test_price_and_referral_rules_keep_them(trades: dict[str, KeywordTagger], text: str, expected: set[str]) -> None:
    assert expected <= tags(trades["piano"], text)
