"""Something done already (`done`, `experienced`) told in a message that asks and requests nothing (`recounted`,
bot/tagging/hit_moods.py) wants nothing now: every negatable rule refuses it whatever `not_mood` an operator wrote
(`NEGATABLE_NOT_MOOD` in bot/tagging/concepts.py), but price, complaint, refund and opt-out rules and rules of
what goes wrong (discomfort, defects, harm) keep it. A question or a request anywhere in the message, a keyword of
what is not done yet (还没) and a marker after the keyword that names a thing (取上次那件) keep the tag.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import taggers, tags

# Rules as an operator writes them once from docs/tagging.md: a swimming pool, a phone repair shop, a print shop.
_POOL = """
[[keyword]]
tag = "会员:年卡"
keywords = ["年卡", "办卡", "续卡"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled"]

[[keyword]]
tag = "课程:私教"
keywords = ["私教课", "私教"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "贵"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""

_PHONES = """
[[keyword]]
tag = "服务:换屏"
keywords = ["换屏", "换屏幕"]
not_mood = ["hypothetical", "worry", "deferred"]

[[keyword]]
tag = "售后:故障"
keywords = ["坏了", "不亮", "质量问题"]

[[keyword]]
tag = "诉求:投诉"
keywords = ["投诉", "太差"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""

_PRINTS = """
[[keyword]]
tag = "订单:取件"
keywords = ["取件", "取"]
not_mood = ["hypothetical", "worry", "deferred"]

[[keyword]]
tag = "订单:进度"
keywords = ["还没印好", "印好了吗"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def trades() -> dict[str, KeywordTagger]:
    return taggers(pool=_POOL, phones=_PHONES, prints=_PRINTS)


@pytest.mark.parametrize(("trade", "text"), [
    ("pool", "之前办过年卡，后来换工作就没怎么去了"),
    ("pool", "以前上过私教课，教练挺认真"),
    ("pool", "年卡去年已经续过了"),
    ("prints", "上个月在你们这取过件，挺方便"),
    ("phones", "以前在你们这换过屏，挺靠谱的"),  # the rule lists its own not_mood: refused all the same
    ("phones", "上次换屏幕换得很快，谢谢师傅"),
])
def test_something_done_told_asks_nothing(trades: dict[str, KeywordTagger], trade: str, text: str) -> None:
    assert tags(trades[trade], text) == set()


@pytest.mark.parametrize(("trade", "text", "expected"), [
    ("pool", "之前办过年卡，现在续卡有优惠吗", {"会员:年卡"}),  # then asks
    ("pool", "私教课之前上过几节，想再约两节", {"课程:私教"}),  # then wishes
    ("pool", "想办张年卡，周末过去", {"会员:年卡"}),  # nothing done
    ("phones", "上次换的屏幕又不亮了", {"售后:故障"}),  # what went wrong is reported, past or not
    ("phones", "上次换屏的态度太差了", {"诉求:投诉"}),  # so is a complaint
    ("prints", "已经三天了还没印好", {"订单:进度"}),  # what is not done yet
    ("prints", "下午过来取上次那批名片", {"订单:取件"}),  # 上次 names the cards; the fetching is wanted
])
def test_a_wish_a_problem_or_a_thing_not_done_keeps_the_tag(trades: dict[str, KeywordTagger], trade: str, text: str,
                                                            expected: set[str]) -> None:
    assert expected <= tags(trades[trade], text)


def test_a_price_heard_of_in_the_past_is_still_a_concern(trades: dict[str, KeywordTagger]) -> None:
    assert tags(trades["pool"], "之前办过年卡，觉得挺贵的") >= {"关注:价格"}
