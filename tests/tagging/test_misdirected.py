"""A chat message sent to the wrong place (`misdirected`: 语音发错了, 发错群了, 打错了，不是找你们的) is no complaint;
the business sending something to the wrong person still is. Every sentence is new (not from tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import SHIPPED, rules_only, tags


@pytest.mark.parametrize("text", ["不好意思，那张截图发错了，是给我老公的", "哎呀打错了，不是找你们的",
                                  "刚那条消息发错群了，忽略就好"])
def test_a_message_sent_to_the_wrong_place_is_no_complaint(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(tagger, text)


@pytest.mark.parametrize("text", ["你们把我的体检报告发错人了", "客服把我的资料发错人了，这是泄露隐私"])
def test_the_business_sending_to_the_wrong_person_still_complains(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(tagger, text)


def test_an_operator_can_empty_the_lists() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    assert "\n[language]\n" not in shipped
    emptied = shipped + "\n[language]\nmisdirected = []\nchat_items = []\n"
    text = "刚那条消息发错群了，忽略就好"
    assert "诉求:投诉" not in tags(KeywordTagger(rules_only()), text)
    assert "诉求:投诉" in tags(KeywordTagger(rules_only(emptied)), text)
