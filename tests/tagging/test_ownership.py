"""Which rule of a file takes what several could: a group two rules name, a move (bot/tagging/ownership.py)."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# A party-room venue (轰趴馆) that splits booking, free rooms and moving a booking into three tags.
RULES = '''
[[keyword]]
tag = "意向:预订"
keywords = ["预订", "约", "订包间", "到店"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "咨询:空房"
keywords = ["有空位", "排得上", "订满"]
intent = true

[[keyword]]
tag = "预订:改期"
keywords = ["改时间", "换个时间", "推迟"]
{move_cue}
not_mood = ["hypothetical", "worry", "deferred", "passed"]
'''


@pytest.fixture(scope="module")
def venue() -> KeywordTagger:
    return KeywordTagger(parse_rules(RULES.replace("{move_cue}", "")))


@pytest.mark.parametrize("text", ["周五晚上的包间能挪到周六吗", "订的七点那场，想改到九点", "能不能往后推一个小时开始"])
def test_a_rule_built_on_moving_words_takes_the_move(venue: KeywordTagger, text: str) -> None:
    assert tags(venue, text) == {"预订:改期"}


def test_a_booking_word_in_a_moved_sentence_is_the_thing_moved(venue: KeywordTagger) -> None:
    assert tags(venue, "约的是周三下午，能换到周四吗") == {"预订:改期"}


def test_a_move_only_supposed_is_none(venue: KeywordTagger) -> None:
    assert tags(venue, "万一要改时间我提前跟你们讲") == set()


@pytest.mark.parametrize("text", ["想约个周日下午的包间，八个人", "周六晚上想过去玩，帮我约一下"])
def test_a_shared_group_is_the_rule_that_names_more_of_it(venue: KeywordTagger, text: str) -> None:
    assert tags(venue, text) == {"意向:预订"}


def test_a_word_another_rule_names_is_not_brought_by_the_group(venue: KeywordTagger) -> None:
    assert tags(venue, "下周五那天排得上吗") == {"咨询:空房"}


def test_a_rule_that_weighs_the_move_itself_keeps_its_own_weight() -> None:
    operator = KeywordTagger(parse_rules(RULES.replace("{move_cue}", 'cues = {"mood:rescheduled" = 0}')))
    assert tags(operator, "周五晚上的包间能挪到周六吗") == set()


def test_the_shipped_booking_rule_still_takes_a_move(tagger: KeywordTagger) -> None:
    assert "意向:预约" in tags(tagger, "周三约的光子能往后挪两天吗")


# A banquet hall whose visit rule and date rule share the booking words (the 空档 subgroup of 预约).
HALL = '''
[[keyword]]
tag = "意向:看厅"
keywords = ["预约", "约", "到店"]
not_mood = ["hypothetical", "worry", "deferred", "passed", "praised", "settled", "done"]

[[keyword]]
tag = "咨询:档期"
keywords = ["档期", "排得上"]
intent = true
'''


@pytest.fixture(scope="module")
def hall() -> KeywordTagger:
    return KeywordTagger(parse_rules(HALL))


@pytest.mark.parametrize("text", ["六月六号还有空吗", "腊月十八那天能排上吗", "下周哪天有位置"])
def test_a_free_date_asked_is_the_date_rule_s(hall: KeywordTagger, text: str) -> None:
    assert tags(hall, text) == {"咨询:档期"}


@pytest.mark.parametrize("text", ["想约周六上午过去谈谈", "周三下午想到店聊聊菜单"])
def test_a_visit_asks_no_date(hall: KeywordTagger, text: str) -> None:
    assert tags(hall, text) == {"意向:看厅"}


def test_a_booking_rule_alone_still_hears_a_free_slot_asked() -> None:
    booking = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约", "到店"]\n'))
    assert tags(booking, "下周二有空位吗") == {"意向:预约"}


def test_that_day_after_a_date_is_the_date_not_a_day_gone_by() -> None:
    booking = KeywordTagger(parse_rules('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约", "到店"]\n'))
    assert tags(booking, "国庆那天能过来吗") == {"意向:预约"}
    assert tags(booking, "那天过来的时候人好多") == set()


@pytest.mark.parametrize("text", ["七月的周末是不是都订满了", "腊八那天满了吗", "中秋满没满"])
def test_dates_taken_or_still_taken_on_are_a_free_date_asked(hall: KeywordTagger, text: str) -> None:
    assert tags(hall, text) == {"咨询:档期"}


def test_a_place_full_of_people_asks_no_date(hall: KeywordTagger) -> None:
    assert tags(hall, "停车场满了，我们停在路边可以吗") == set()
