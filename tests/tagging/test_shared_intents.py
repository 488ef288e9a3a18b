"""Intents many trades share, reached from an operator's few words (bot/tagging/concepts.py): chasing
an order (催单), ordering goods (下单), topping up a card (充值), fresh goods gone off (变质), goods sent
wrong or short (丢失), a visit to measure (量尺寸). The rules below are a shop of a trade no
development set has (a bike and e-bike shop, a pharmacy's delivery), written as an operator would."""

from __future__ import annotations

import pytest

from bot.tagging.concepts import DEFAULT_CONCEPTS, groups_of
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules, parse_rules
from tests.support.tagging import SHIPPED, tags

SHOP = """
exclusive_groups = ["状态"]

[[keyword]]
tag = "意向:下单"
keywords = ["下单", "买一辆"]

[[keyword]]
tag = "意向:到店"
keywords = ["预约", "到店"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "关注:价格"
keywords = ["多少钱", "优惠"]

[[keyword]]
tag = "配送:催单"
keywords = ["到哪了", "什么时候发货"]

[[keyword]]
tag = "售后:质量"
keywords = ["不新鲜", "送错", "压坏"]
not_mood = ["question", "hypothetical", "worry", "hearsay", "deferred", "passed", "praised", "settled"]

[[keyword]]
tag = "会员:充值"
keywords = ["充值", "续卡"]

[[keyword]]
tag = "意向:上门测量"
keywords = ["量尺寸"]

[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
"""


@pytest.fixture(scope="module")
def shop() -> KeywordTagger:
    return KeywordTagger(parse_rules(SHOP))


def test_each_intent_is_a_group() -> None:
    assert groups_of(["到哪了"], DEFAULT_CONCEPTS) == ["催单"]
    assert groups_of(["下单"], DEFAULT_CONCEPTS) == ["下单"]
    assert groups_of(["续卡"], DEFAULT_CONCEPTS) == ["充值"]
    assert groups_of(["不新鲜"], DEFAULT_CONCEPTS) == ["变质"]
    assert groups_of(["量尺寸"], DEFAULT_CONCEPTS) == ["量尺寸"]


def test_rivals_keep_the_group_a_rule_names_more() -> None:
    # A price rule that lists 充值 (top-up offers) asks a price; it does not want 怎么续.
    assert "充值" not in groups_of(["多少钱", "优惠", "便宜", "充值", "储值"], DEFAULT_CONCEPTS)
    # A booking rule with 下单 (a cleaning ordered) does not want 来一份.
    assert "下单" not in groups_of(["预约", "约", "上门", "下单"], DEFAULT_CONCEPTS)
    # An order rule with 预订 keeps the order and leaves the visits.
    assert groups_of(["下单", "帮我留", "预订"], DEFAULT_CONCEPTS) == ["下单"]
    # A tie keeps both (and 预约 its 空档, a free slot asked).
    assert set(groups_of(["下单", "预约"], DEFAULT_CONCEPTS)) == {"下单", "预约", "空档"}


@pytest.mark.parametrize(("text", "tag"), [
    ("我的头盔快递现在到哪儿了", "配送:催单"),
    ("车子下单十天了还没发货，帮忙催一下", "配送:催单"),
    ("配件还要多久才能到", "配送:催单"),
    ("维修进度怎么样了，周末要骑", "配送:催单"),
    ("那款折叠车给我留一辆，明天去付款", "意向:下单"),
    ("想订购两辆儿童自行车", "意向:下单"),
    ("再来两盒退烧贴，老地址", "意向:下单"),
    ("内胎再来三条，上次那个规格", "意向:下单"),
    ("防雨罩要五袋，送到店里", "意向:下单"),
    ("车店的会员卡能再充五百吗", "会员:充值"),
    ("保养年卡到期了，怎么续", "会员:充值"),
    ("充值两千的话送什么", "会员:充值"),
    ("送来的牛奶一股馊味", "售后:质量"),
    ("寄来的是黑色的，发错了吧", "售后:质量"),
    ("车筐压扁了，后挡泥板也刮花了", "售后:质量"),
    ("阳台想装个车架，能派人来量一下尺寸吗", "意向:上门测量"),
    ("收到的车座套跟图片不一样，颜色深很多", "售后:质量"),
    ("这个货不对板啊，说好的铝合金车架", "售后:质量"),
    ("订单显示已发货，三天了一点动静都没有", "配送:催单"),
    ("报价单发我一下，三辆一起买", "关注:价格"),
    ("电池大概多少", "关注:价格"),
])
def test_a_customers_words_reach_the_operators_rule(shop: KeywordTagger, text: str, tag: str) -> None:
    assert tag in tags(shop, text)


@pytest.mark.parametrize(("text", "tag"), [
    ("我还没到店，十分钟后过去", "配送:催单"),             # the customer's own way, no parcel
    ("人还没到齐，等会儿再说", "配送:催单"),
    ("上次订的那辆已经骑上了，挺好", "意向:下单"),          # an order done
    ("下单三天了还没发货，催一下", "意向:下单"),            # chased, no new order
    ("储值卡在哪里查余额", "会员:充值"),                  # the card named
    ("自动续费怎么取消", "会员:充值"),                    # stopped, not renewed
    ("充值的钱能退吗", "会员:充值"),                      # money back
    ("续卡的事我再考虑考虑", "会员:充值"),                 # deferred
    ("如果牛奶不新鲜可以换吗", "售后:质量"),               # supposed
    ("电池大概多少天能到", "关注:价格"),                   # 大概多少 that does not close its clause
    ("会员卡丢了能补办吗", "会员:充值"),
    ("跟图片不一样的话可以退换吗", "售后:质量"),          # supposed
    ("实物跟图片一样吗", "售后:质量"),                    # asked, nothing wrong told
])
def test_what_only_looks_like_it(shop: KeywordTagger, text: str, tag: str) -> None:
    assert tag not in tags(shop, text)


def test_expand_false_keeps_the_operators_words() -> None:
    rules = parse_rules("""
[[keyword]]
tag = "配送:催单"
keywords = ["到哪了"]
expand = false
""")
    assert tags(KeywordTagger(rules), "配件还要多久才能到") == set()


def test_money_right_after_a_closing_amount_is_a_price() -> None:
    shipped = KeywordTagger(load_rules(SHIPPED))
    assert "关注:价格" in tags(shipped, "想问问有没有一对一 大概多少钱一节")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到店做个检查要收费吗", {"关注:价格"}),
        ("上门看房是免费的吗", {"关注:价格"}),
        ("周日下午想预约一下，几点有空", {"意向:预约"}),
    ],
)
def test_a_fee_asked_of_a_visit_books_nothing(text: str, expected: set[str]) -> None:
    rules = ('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约", "到店", "上门看房"]\n'
             '[[keyword]]\ntag = "关注:价格"\nkeywords = ["多少钱", "价格"]\n')
    assert tags(KeywordTagger(parse_rules(rules)), text) == expected
