"""Shipped 术后:不适: what is worn being tight or rubbing (衣服, 领口, 鞋子, 裤子) is no reaction to a treatment.
Every sentence is new."""

from __future__ import annotations

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


def test_clothes_that_pinch_are_no_discomfort(tagger: KeywordTagger) -> None:
    assert "术后:不适" not in tags(tagger, "今天这件衣服勒得肩膀疼")


def test_skin_that_tightens_after_a_treatment_still_is(tagger: KeywordTagger) -> None:
    assert "术后:不适" in tags(tagger, "打完水光脸有点紧")
