"""Issue 11, precision: what is not the customer's own case or enquiry is not tagged as theirs.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 还是 as "still", not a choice: no course asked about (time spent and still nothing is a
        # complaint, as 「上了两个月口语课，还是不敢张嘴」 in tagging_dev8_precision.jsonl: elapsed, persisting).
        ("练了三个月钢琴，还是只会弹一首", {"诉求:投诉"}),
        ("上了一学期编程，还是没入门", {"诉求:投诉"}),
        # A choice all the same.
        ("书法还是国画，哪个适合五岁", {"课程:咨询"}),
        ("暑假班报还是不报，老师给个建议", {"课程:咨询"}),
    ],
)
def test_still_is_no_choice(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A child's illness given as the reason for missing a class is leave, no reaction to a treatment.
        ("小朋友夜里一直咳嗽，今天的舞蹈课先请假", {"课程:请假"}),
        ("娃牙疼得厉害，周三的课去不了", {"课程:请假"}),
        # Money short is no tight skin.
        ("最近手头紧，疗程先停一停", set()),
        # The customer's own reaction still is.
        ("我打完玻尿酸鼻子有点疼", {"术后:不适", "项目:玻尿酸"}),
    ],
)
def test_someone_elses_illness_is_no_reaction(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("麻烦老师帮看一下她的数学试卷", set()),
        ("老师辛苦，批改完英语作业拍给我", set()),
        ("编程网课的链接进不去", set()),
        ("想问问数学有没有周末班", {"课程:咨询"}),
        ("护士的从业资质能发我看看吗", set()),  # a clinic's staff, no course
        ("英语老师的资质能发我看看吗", {"课程:咨询"}),
    ],
)
def test_a_request_about_the_childs_work_is_no_enquiry(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Someone else's child who wants a class (a broad `asked` word) is a referral, no enquiry of the customer's.
        ("我表哥家的女儿也想学书法，我把你们电话给他了", {"意向:转介绍"}),
        ("隔壁邻居的小孩也打算学围棋", {"意向:转介绍"}),
        # The customer's own question beside it still asks.
        ("我同学的儿子也想学编程，你们周末有班吗", {"意向:转介绍", "课程:咨询"}),
    ],
)
def test_someone_elses_wish_is_no_enquiry(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A gift or a voucher received asks no price.
        ("店庆送的小礼物收到了，谢谢你们", set()),
        ("上次说的优惠券我已经领了", set()),
        # Asked beside it, a price still is.
        ("赠品拿到了，那套餐价是多少", {"关注:价格"}),
    ],
)
def test_a_thing_received_asks_no_price(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


def test_someone_elses_enrolment_is_still_asked(tagger: KeywordTagger) -> None:
    # The rule's own keywords (报名, 试听) ask for them: the customer enquires on their behalf.
    assert tags(tagger, "我表嫂也想给儿子报名，你们还收吗") >= {"课程:咨询"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A price accepted, in a sentence that asks nothing, is no price concern.
        ("这个收费标准我们完全能接受", set()),
        ("价钱没问题，主要是想离家近一点", set()),
        ("说实话你们不算贵", set()),
        # Asked beside it, the price still is.
        ("价格能接受，能分期吗", {"关注:价格"}),
        ("没问题的话，一个疗程多少钱", {"关注:价格"}),
    ],
)
def test_a_price_accepted_is_no_concern(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我表姐说她在别家排了三个钟头都没人招呼",
        "同学讲她之前报的那个班老师总是迟到",
        "听同学说他们那个机构一学期换了四个老师",
        "网上有人说那家店一天打好几个电话推销",
    ],
)
def test_someone_elses_grievance_weighs_no_cue(tagger: KeywordTagger, text: str) -> None:
    """A complaint rule that refuses `reported` weighs no cue of someone else's report of their own case."""
    assert "诉求:投诉" not in tags(tagger, text)


@pytest.mark.parametrize(
    "text",
    [
        "顾问说当天能回复，结果三天了都没人联系我",  # the staff's word, the customer's wait
        "你们客服说的和店长说的根本对不上，到底听谁的",  # names the business
        "闺蜜说你们家不错，结果我来了排了一个多小时都没人理",  # the customer's own clause
    ],
)
def test_the_customers_own_grievance_in_a_report_still_complains(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(tagger, text)


def test_an_operators_complaint_rule_weighs_no_cue_where_it_refuses_hearsay() -> None:
    rule = ('[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉", "不满意"]\n'
            'not_mood = ["hypothetical", "deferred", "praised", "hearsay"]\n')
    tagger = KeywordTagger(parse_rules(rule))
    assert tags(tagger, "我妈说她们小区那个装修公司拖了半年，被坑了好几万") == set()
    assert tags(tagger, "你们拖了半年，我被坑了好几万") == {"诉求:投诉"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 给/替/带 after the one who also wants it: their act for someone of theirs, a referral only.
        ("我小姨也想给她孙子学书法，让她直接找你们", {"意向:转介绍"}),
        ("楼下邻居也想替她女儿报英语，我把电话给她了", {"意向:转介绍"}),
        # Before them, the customer acts for them; asked after it, the customer enquires.
        ("我想帮我堂妹报个书法", {"课程:咨询"}),
        ("我同学也想给她女儿报画画，你们周末有班吗", {"意向:转介绍", "课程:咨询"}),
    ],
)
def test_someone_elses_act_for_their_own_is_a_referral(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected
