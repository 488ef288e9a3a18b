"""Ways of asking to stop messages that name the message and wave it off (issue 11, session 22).

Every sentence is new. A message noun (推销电话, 活动通知, 推送) said with 免了 / 不要了 / 别打 / 不想接,
停止 or 请勿 before a verb of sending, and an @ in a group, all opt out; an offer or a package that
is waved off (活动免了, 套餐不要了) does not, nor does a question about a notice or a group mention.
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize(
    "text",
    [
        "请停止给我发送推广信息",
        "停止给我推送",
        "别在群里@我了",
        "能不能别老@我",
        "推销电话就免了吧",
        "营销电话我不想再接了",
        "活动通知我不要了",
        "这些广告我都不要了",
        "请勿再发",
        "请勿再打电话",
        "怎么关掉推送",
        "公众号的推送怎么关",
    ],
)
def test_a_message_waved_off_is_an_opt_out(tagger: KeywordTagger, text: str) -> None:
    assert "状态:退订" in tags(tagger, text)


@pytest.mark.parametrize(
    "text",
    [
        "停止营业了吗",
        "活动停止了吗",
        "群里有人@我吗",
        "你@我一下",
        "别忘了打电话给我",
        "通知收到了",
        "这个套餐我不要了",
        "推荐的那个项目不要了",
        "活动免了吧，直接打折",
        "推送的活动怎么报名",
    ],
)
def test_an_offer_waved_off_or_a_mention_is_not(tagger: KeywordTagger, text: str) -> None:
    assert "状态:退订" not in tags(tagger, text)
