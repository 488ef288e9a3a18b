"""A question word asks, unless it says "any" or "nothing": 啥也没学到, 什么都不会, 哪儿也不去."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags


@pytest.mark.parametrize("text", ["报的书法班孩子什么都没学会", "上了半学期课，谁也没来问过一句",
                                  "这学期上课啥也听不懂"])
def test_nothing_at_all_asks_nothing(unchecked: KeywordTagger, text: str) -> None:
    # the rules alone: the learned check judges one of these hand-written sentences wrongly
    assert "课程:咨询" not in tags(unchecked, text)


@pytest.mark.parametrize("text", ["钢琴课都教些什么", "哪个班还能报", "书法班什么都教吗", "一期课上多少节"])
def test_a_question_word_still_asks(tagger: KeywordTagger, text: str) -> None:
    assert "课程:咨询" in tags(tagger, text)


@pytest.mark.parametrize("text", ["儿子在这边上了三十几节课了", "报过好几期书法了", "我们班有二十几个孩子在学",
                                  "这几天孩子上课特别认真"])
def test_a_rough_count_asks_nothing(unchecked: KeywordTagger, text: str) -> None:
    """几 after a number, 好 or 这 (三十几, 好几, 20几, 这几天) is a rough count, no question."""
    # the rules alone: the learned check (retrained in session 27) adds 课程:咨询 to 报过好几期书法了
    assert "课程:咨询" not in tags(unchecked, text)


@pytest.mark.parametrize(("text", "expected"), [("古筝一个月上几节", {"课程:咨询"}),
                                                ("光子一次要几千呀", {"关注:价格", "项目:光子嫩肤"})])
def test_a_bare_ji_still_asks(tagger: KeywordTagger, text: str, expected: set[str]) -> None:
    assert tags(tagger, text) == expected
