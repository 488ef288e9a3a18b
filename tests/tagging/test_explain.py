"""試一試's explanation: the tags are the tagger's own, and each keyword's verdict says why."""

from __future__ import annotations

import json
from pathlib import Path

from bot.tagging.explain import explain
from bot.tagging.keywords import KeywordTagger

REPO = Path(__file__).resolve().parents[2]


def verdicts(tagger: KeywordTagger, text: str) -> list[tuple[str, str, bool, str]]:
    return [(d.tag, d.keyword, d.counted, d.why) for d in explain(tagger, text).decisions]


def test_the_tags_are_the_taggers_and_every_one_has_a_counted_reason(tagger: KeywordTagger) -> None:
    lines = (REPO / "tests" / "data" / "tagging_dev.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        text = json.loads(line)["text"]
        result = explain(tagger, text)
        assert result.tags == tagger.tag(text), text
        counted = {d.tag for d in result.decisions if d.counted}
        assert counted == {m.tag for m in result.tags}, text


def test_a_negated_keyword_is_not_counted_and_says_so(tagger: KeywordTagger) -> None:
    [(tag, keyword, counted, why)] = verdicts(tagger, "暂时不需要预约")
    assert (tag, keyword, counted) == ("意向:预约", "预约", False) and "否定" in why


def test_an_a_not_a_question_is_not_an_opt_out(unchecked: KeywordTagger) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    [(tag, _, counted, why)] = verdicts(unchecked, "要不要再发一次")
    assert tag == "状态:退订" and not counted and "正反问" in why


def test_a_hypothetical_clause_is_out_of_mood(tagger: KeywordTagger) -> None:
    result = explain(tagger, "如果效果不好能退吗")
    assert result.tags == [] and "假设" in result.clauses[0].moods
    assert all(not d.counted and "语气" in d.why for d in result.decisions)


def test_the_latest_state_wins_and_the_earlier_one_says_why(tagger: KeywordTagger) -> None:
    result = explain(tagger, "先退订，不对，恢复推送吧")
    assert [m.tag for m in result.tags] == ["状态:订阅"]
    dropped = next(d for d in result.decisions if d.tag == "状态:退订")
    assert not dropped.counted and "最后说的" in dropped.why


def test_an_opt_out_taken_back_says_why(tagger: KeywordTagger) -> None:
    # an opt-out told as past, then a wish: no opt-out now (bot/tagging/opt_out.py)
    result = explain(tagger, "之前退订了，现在想恢复推送")
    assert [m.tag for m in result.tags] == ["状态:订阅"]
    dropped = next(d for d in result.decisions if d.tag == "状态:退订")
    assert not dropped.counted and "反悔" in dropped.why


def test_hearsay_and_a_booking_already_made_say_why_they_do_not_count(tagger: KeywordTagger) -> None:
    result = explain(tagger, "群里有人说做完脸很痒")
    assert result.tags == [] and "转述" in result.clauses[0].moods
    assert any(d.tag == "术后:不适" and not d.counted and "转述" in d.why for d in result.decisions)
    result = explain(tagger, "我在别的店约了")
    assert result.tags == []
    assert any(d.tag == "意向:预约" and not d.counted and "已办过" in d.why for d in result.decisions)
