"""Issue 11, precision: anger said in jest, its sentence going on to delight in the business (气死我了，又被圈粉了),
is no complaint (`teasing`, bot/tagging/moods.py); a complaint beside a delight denied, told before it or naming
someone still is.

Every sentence is new (written for these tests, not taken from tests/data).
"""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from tests.support.tagging import tags

COMPLAINT = "诉求:投诉"


@pytest.mark.parametrize("text", [
    "气死我了，孩子放假天天吵着要来，说离不开你们老师",
    "烦死了你们，害我现在每周都想来，彻底上瘾了",
    "太坑了，做完一次就爱上了，钱包遭殃",
])
def test_anger_in_jest_is_no_complaint(plain: KeywordTagger, text: str) -> None:
    assert COMPLAINT not in tags(plain, text)


@pytest.mark.parametrize("text", [
    # The delight denied.
    "气死了，交了一年的钱孩子还是不喜欢",
    # The delight asked back: nobody would.
    "气死了，排两个小时队，以后谁还喜欢来你们这",
    # The delight told before a contrast: the complaint after it is the customer's.
    "孩子挺喜欢上你们的课，但是前台态度太差了",
    # The delight names someone: 喜欢的 is no delight.
    "烦死了，排了一个小时队，我喜欢的那个医生还不在",
])
def test_a_complaint_beside_other_delight_stays(plain: KeywordTagger, text: str) -> None:
    assert COMPLAINT in tags(plain, text)
