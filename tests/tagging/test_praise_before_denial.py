"""Issue 11, precision: a clause that denies something after one that closes with praise in its sentence (品质很好，
戴了半年一点没变) tells good news, its complaint cues (一点*没, 从来没, 都没) weigh nothing; a clause that opens with a
contrast (就是, 但是) turns to a grievance. Every sentence is new (written for these tests, not taken from
tests/data)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import rules_only, tags


@pytest.fixture(scope="module")
def plain() -> KeywordTagger:
    return KeywordTagger(rules_only())


@pytest.mark.parametrize("text", ["师傅手艺真好，用了三年一点毛病都没有", "这套教材挺不错的，孩子翻了一学期都没散架",
                                  "你们的热水器一直很好，从来没出过问题"])
def test_praise_then_a_denial_is_good_news(plain: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(plain, text)


@pytest.mark.parametrize("text", ["老师人很好，但是说好的作业批改一次都没有",
                                  "环境不错，就是约了三次都没约上，每次都说满了"])
def test_a_contrast_after_praise_still_complains(plain: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" in tags(plain, text)
