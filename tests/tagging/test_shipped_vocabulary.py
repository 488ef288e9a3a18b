"""The shipped rules know the everyday ways customers say each thing, and a mere mention is not one.

The sentences are new ones (not lines of the labelled sets), one or two per way of saying it.
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags

SAID = [
    # Price in the customer's words, also in a deferral or a worry.
    ("祛斑的话大概什么行情", {"关注:价格"}),
    ("两个疗程一起买有没有打包价", {"关注:价格"}),
    ("有点小贵啊，我回去跟家里商量商量", {"关注:价格"}),
    ("材料要另外收钱吗", {"关注:价格"}),
    ("价格挺合理的，服务也好", set()),
    # Complaints without the word 投诉.
    ("前台接待什么态度，问两句就不耐烦", {"诉求:投诉"}),
    ("在大厅等了快两个小时", {"诉求:投诉"}),
    ("钱交了半个月了客服一直联系不上", {"诉求:投诉"}),
    ("报了一学期成绩一点起色都没有", {"诉求:投诉"}),
    ("别再打电话推销课程了", {"状态:退订"}),
    # Discomfort after a treatment; a child's illness is leave from class.
    ("打完的地方摸起来硬硬的", {"术后:不适"}),
    ("做完第二天额头冒了一片小红点", {"术后:不适"}),
    ("女儿发烧了，明天的课先不来了", {"课程:请假"}),
    # A class mentioned is no enquiry; asking about one is.
    ("孩子说今天的课特别有意思", set()),
    ("上课纪律越来越差了", {"诉求:投诉"}),
    ("零基础的大人也能学吗", {"课程:咨询"}),
    ("你们的师资是怎样的", {"课程:咨询"}),
    # Booking, leave, referral and refund in other words.
    ("明天下午给我留个号", {"意向:预约"}),
    ("下周的课帮我们往后推一周", {"课程:请假"}),
    ("上周已经跟老师请过假了", set()),
    ("我把你的名片推给我闺蜜了", {"意向:转介绍"}),
    ("剩下的疗程不做了，钱怎么退", {"诉求:退款"}),
    # Asking for a manager, a price floor, a new class, a slot.
    ("这事必须给我一个交代，我要找你们店长", {"诉求:投诉"}),
    ("最低多少能做", {"关注:价格"}),
    ("新的班什么时候开班", {"课程:咨询"}),
    ("周日上午能做吗", {"意向:预约"}),
    ("你们店长人挺好的", set()),
]


@pytest.mark.parametrize(("text", "expected"), SAID, ids=[text for text, _ in SAID])
def test_everyday_ways_of_saying_it(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected
