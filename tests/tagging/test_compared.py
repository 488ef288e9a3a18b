"""Another business's fault told to prefer this one (`compared`: 之前那家机构老师天天迟到，还是你们这边省心) is no
complaint about the business; the same fault told of this business still is. Every sentence is new."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import SHIPPED, rules_only, tags


@pytest.mark.parametrize("text", ["之前那家机构老师天天迟到，还是你们这边省心",
                                  "别家做的光子一点效果都没有，还是你们专业",
                                  "隔壁街那家店服务态度差得要命，还是你家好"])
def test_another_business_s_fault_beside_a_preference_is_no_complaint(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(tagger, text)


@pytest.mark.parametrize("text", ["你们前台态度太差了，还是你们老师好", "别家做的光子一点效果都没有，你们这也一样",
                                  "别家做的光子一点效果都没有，还是你们这边再试试吧"])
def test_without_a_preference_for_the_business_it_still_complains(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(tagger, text)


def test_an_operator_can_empty_the_lists() -> None:
    text = "之前那家机构老师天天迟到，还是你们这边省心"
    emptied = SHIPPED.read_text(encoding="utf-8") + "\n[language]\npreferences = []\n"
    assert "诉求:投诉" not in tags(KeywordTagger(rules_only()), text)
    assert "诉求:投诉" in tags(KeywordTagger(rules_only(emptied)), text)
