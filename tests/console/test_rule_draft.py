"""A keyword added to or taken out of a tag's rule as a minimal text edit (bot/console/rule_draft.py): the exact
text that comes out, comments and layout kept, and that it validates; what cannot be drafted is refused."""

from __future__ import annotations

import pytest

from bot.console.rule_draft import BadInput, DraftRefused, add_keyword, remove_keyword
from bot.console.rule_files import check_tag_rules

OPT_OUT = '''[[keyword]]
tag = "状态:退订"
keywords = ["退订"]
'''

COMMENTED = '''# 门店的规则
[vocab]
"约法" = ["预约", "约个时间"]   # 词表

[[keyword]]
tag = "意向:预约"  # 想来
keywords = ["预约", "到店"]  # 最常见的说法
synonyms = ["约个号"]
exclude = ["取消"]

''' + OPT_OUT

ONE_A_LINE = '''[[keyword]]
tag = "关注:价格"
keywords = [
    "多少钱",  # 问价
    "价格",
    "优惠",    # 活动
]
[keyword.cede]
"意向:预约" = ["价格"]

[[keyword]]
tag = "意向:预约"
keywords = ["预约"]

''' + OPT_OUT

INLINE = '''keyword = [{ tag = "状态:退订", keywords = ["退订"] },
           { tag = "意向:预约", keywords = ["预约", "约个时间"], exclude = ["取消"] }]
'''


def valid(text: str) -> bool:
    return check_tag_rules(text)[0] is not None


@pytest.mark.parametrize("text", [COMMENTED, ONE_A_LINE, INLINE])
def test_the_examples_validate_as_written(text: str) -> None:
    assert valid(text)


def test_a_word_goes_after_the_last_keyword_on_its_line_and_nothing_else_moves() -> None:
    draft = add_keyword(COMMENTED, "意向:预约", "老规矩")

    assert draft.text == COMMENTED.replace('keywords = ["预约", "到店"]  # 最常见的说法',
                                           'keywords = ["预约", "到店", "老规矩"]  # 最常见的说法')
    assert (draft.rules, draft.line) == ((1,), 7) and valid(draft.text)


def test_a_list_of_one_word_a_line_gets_a_line_of_its_own_after_the_comment() -> None:
    draft = add_keyword(ONE_A_LINE, "关注:价格", "划算")

    assert draft.text == ONE_A_LINE.replace('    "优惠",    # 活动\n', '    "优惠",    # 活动\n    "划算",\n')
    assert draft.rules == (1,) and valid(draft.text)


def test_an_inline_table_rule_gets_the_word_in_its_own_keywords() -> None:
    draft = add_keyword(INLINE, "意向:预约", "到店")

    assert draft.text == INLINE.replace('"约个时间"]', '"约个时间", "到店"]')
    assert (draft.rules, draft.line) == ((2,), 2) and valid(draft.text)


def test_of_several_rules_of_a_tag_the_first_listing_its_own_words_gets_it() -> None:
    # The validator allows one [[keyword]] rule a tag, so such a file is refused before any draft (see the
    # console tests); the text edit still picks the first rule that lists a word, not only {vocab}.
    text = COMMENTED.replace('keywords = ["预约", "到店"]', 'keywords = ["{约法}"]') + \
        '\n[[keyword]]\ntag = "意向:预约"\nkeywords = ["到店"]\n\n[[keyword]]\ntag = "意向:预约"\nkeywords = ["来"]\n'

    draft = add_keyword(text, "意向:预约", "老规矩")

    assert draft.text == text.replace('keywords = ["到店"]', 'keywords = ["到店", "老规矩"]')
    assert draft.rules == (3,) and not valid(text)


def test_a_keyword_comes_out_of_keywords_and_synonyms_keeping_the_rest() -> None:
    assert remove_keyword(COMMENTED, "意向:预约", "到店").text == COMMENTED.replace('"预约", "到店"]', '"预约"]')
    assert remove_keyword(COMMENTED, "意向:预约", "预约").text == COMMENTED.replace('"预约", "到店"]', '"到店"]')
    draft = remove_keyword(ONE_A_LINE, "关注:价格", "多少钱")            # alone on its line: the line goes
    assert draft.text == ONE_A_LINE.replace('    "多少钱",  # 问价\n', "") and draft.line == 4 and valid(draft.text)
    both = COMMENTED.replace('synonyms = ["约个号"]', 'synonyms = ["约个号", "到店"]')
    draft = remove_keyword(both, "意向:预约", "到店")
    assert draft.text == COMMENTED.replace('"预约", "到店"]', '"预约"]') and valid(draft.text)
    inline = remove_keyword(INLINE, "意向:预约", "约个时间")
    assert inline.text == INLINE.replace('"预约", "约个时间"]', '"预约"]') and valid(inline.text)


@pytest.mark.parametrize(("text", "tag", "word", "says"), [
    (COMMENTED, "意向:预约", "到店", "已经在「意向:预约」的关键词里了"),
    (COMMENTED, "意向:预约", "约个号", "已经在「意向:预约」的关键词里了"),              # a synonym counts
    (COMMENTED.replace('["预约", "到店"]', '["{约法}"]'), "意向:预约", "老规矩", "只用词表"),
    ('[[behaviour]]\ntag = "价值:高"\nwhen = "orders >= 3"\n' + OPT_OUT, "价值:高", "贵宾", "行为规则"),
    (COMMENTED + "[[keyword", "意向:预约", "老规矩", "不是正确的 TOML"),
])
def test_what_cannot_be_added_is_refused_in_chinese(text: str, tag: str, word: str, says: str) -> None:
    with pytest.raises(DraftRefused, match=says) as refused:
        add_keyword(text, tag, word)
    assert not isinstance(refused.value, BadInput)


def test_what_cannot_be_taken_out_is_refused_in_chinese() -> None:
    with pytest.raises(DraftRefused, match="不是「意向:预约」的规则直接列出的关键词"):
        remove_keyword(COMMENTED, "意向:预约", "约个时间")                      # the vocab's, not the rule's
    with pytest.raises(DraftRefused, match="就没有关键词了"):
        remove_keyword(OPT_OUT, "状态:退订", "退订")


@pytest.mark.parametrize(("tag", "word", "field"), [
    ("意向:预约", "", "word"), ("意向:预约", "  ", "word"), ("意向:预约", "老" * 21, "word"),
    ("意向:预约", 'a"b', "word"), ("意向:预约", "a\nb", "word"), ("意向:预约", "a\\u0022", "word"),
    ("意向:预约", "{约法}", "word"), ("意向:预约", "带*朋友", "word"), ("意向:预约", "a]b", "word"),
    ("兴趣:露营", "帐篷", "tag"),
])
def test_bad_input_names_its_field(tag: str, word: str, field: str) -> None:
    with pytest.raises(BadInput) as bad:
        add_keyword(COMMENTED, tag, word)
    assert bad.value.field == field and f"（{field}）" in str(bad.value)

