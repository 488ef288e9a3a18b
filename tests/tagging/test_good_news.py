"""Good news is no grievance: a clause that denies something, then nothing but praise (一点不适都没有，挺好), weighs no
complaint cue; and the time since a treatment (做完到现在…) is no wait. Every sentence is new."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["打完玻尿酸到现在一点不适都没有，挺满意", "做完水光到现在一点红都没起，很好",
                                  "术后到现在一个月了，鼻子那还是有点硬"])
def test_good_news_and_time_since_a_treatment_are_no_complaint(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(tagger, text)


@pytest.mark.parametrize("text", ["呵呵，挺好", "说好的回访电话到现在也没人打", "上周答应给我补的课到现在还没排"])
def test_a_scoff_and_a_broken_promise_still_complain(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(tagger, text)


def test_days_gone_by_without_a_treatment_still_weigh(tagger: KeywordTagger) -> None:
    assert "诉求:投诉" in tags(tagger, "交了钱三个礼拜了，教材还没发")
