"""Shipped 诉求:退款: money asked back with 拿回来 or 要回来 (剩下的钱能拿回来吗) is a refund; money already got back
is none. Every sentence is new."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["剩下那几次课的钱能拿回来吗", "上次多交的钱什么时候能要回来"])
def test_money_asked_back_is_a_refund(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:退款" in tags(tagger, text)


def test_money_got_back_is_no_refund(tagger: KeywordTagger) -> None:
    assert "诉求:退款" not in tags(tagger, "钱我已经拿回来了，谢谢")


@pytest.mark.parametrize("text", ["退回来的教材放前台了吗", "退给我们的那张课表找不到了"])
def test_a_thing_given_back_is_no_money(tagger: KeywordTagger, text: str) -> None:
    """退给我 or 退回来 before 的 and a noun that names no money: a thing given back (`named`)."""
    assert "诉求:退款" not in tags(tagger, text)


def test_money_given_back_after_its_de_is_still_asked_for(tagger: KeywordTagger) -> None:
    assert "诉求:退款" in tags(tagger, "退给我的学费怎么还没到")
