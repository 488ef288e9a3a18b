"""The rule file docs/tagging.md gives an operator for their own trade loads and does what its
comments say (an operator copies it; a broken example would be their first error)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> KeywordTagger:
    doc = (REPO / "docs" / "tagging.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Writing rules for your own business"):doc.index("## Opt-out")]
    rules = tmp_path_factory.mktemp("rules") / "dental.toml"
    rules.write_text(re.search(r"```toml\n(.*?)```", section, re.S).group(1), encoding="utf-8")
    return KeywordTagger(load_rules(rules))


@pytest.mark.parametrize(("text", "tags"), [
    ("周三的预约取消吧", set()),                  # exclude: a cancellation is no booking
    ("想约个号周六过来", {"意向:预约"}),
    ("大约多少钱", {"关注:价格"}),                # [dictionary]: 大约 does not book
    ("费用能退吗", {"诉求:退款"}),                # yield_to: a refund, not a price question
    ("不想种牙了", {"项目:种植牙"}),              # negatable = false: a topic
    ("别再发了", {"状态:退订"}),
    ("yuyue一下", {"意向:预约"}),                 # [aliases]
    ("我同事也想来看看牙", {"意向:转介绍"}),        # [vocab]: {亲友} is any of its words
    ("下次带两个朋友一起来", {"意向:转介绍"}),      # * is a gap
])
def test_the_documented_rules_tag_as_their_comments_say(tagger: KeywordTagger, text: str, tags: set[str]) -> None:
    assert {match.tag for match in tagger.tag(text)} == tags
