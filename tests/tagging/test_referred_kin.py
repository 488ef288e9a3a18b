"""Referral to the people an operator's `{亲友}` does not list: the 转介绍 group's kin and a pronoun sent on
(tests/data/physio_tags.toml, whose 亲友 has no 婆婆)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules
from tests.support.tagging import tags


@pytest.fixture(scope="module")
def physio() -> KeywordTagger:
    return KeywordTagger(load_rules(Path(__file__).resolve().parents[1] / "data" / "physio_tags.toml"))


@pytest.mark.parametrize("text", [
    "我婆婆也想来做艾灸，能一起约吗",        # kin the operator's 亲友 does not list
    "我婆婆想问问针灸对失眠有没有用",
    "我同事腰也不好，我推荐她来你们这推拿了",   # named before, sent on by a pronoun
    "我介绍他过来的，记得给我积分",
])
def test_kin_beyond_the_operators_list_are_referred(physio: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" in tags(physio, text)


@pytest.mark.parametrize("text", ["我是我姐介绍过来的", "我老公陪我一起来", "周六带我闺女一起过来"])
def test_the_customer_referred_or_accompanied_refers_nobody(physio: KeywordTagger, text: str) -> None:
    assert "意向:转介绍" not in tags(physio, text)
