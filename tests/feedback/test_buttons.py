"""Menu ids and link targets: only Siyu's own feedback buttons read back as feedback."""

from __future__ import annotations

import pytest

from bot.feedback.buttons import (Choice, Click, link_option, link_target, menu_id, parse_menu_id, with_html_links,
    with_plain_links)


def test_a_menu_id_names_the_delivery_and_option_within_wechats_64_bytes() -> None:
    value = menu_id(10**17, "not_interested")
    assert len(value.encode()) <= 64
    assert parse_menu_id(value) == Click(10**17, "not_interested")


@pytest.mark.parametrize("value", [None, "", "101", "siyu-fb:1:maybe", "siyu-fb::interested", "siyu-fb:x:interested",
                                   "siyu-fb:1:interested:extra", "other:1:interested"])
def test_any_other_menu_id_is_not_feedback(value: str | None) -> None:
    assert parse_menu_id(value) is None


def test_a_feedback_link_target_is_not_a_web_page() -> None:
    assert link_option(link_target("interested")) == "interested"
    assert link_option("https://example.com/offer") is None
    assert link_option("feedback:whatever") is None


def test_links_under_an_official_account_text_are_escaped_and_a_mass_text_gets_plain_lines() -> None:
    choices = (Choice("interested", "想了解 <更多>", "siyu-fb:1:interested", "https://s.example/r/abc?x=1&y=2"),
               Choice("not_interested", "不感兴趣", "siyu-fb:1:not_interested", "https://s.example/r/def"))
    assert with_html_links("要了解吗？", choices) == (
        '要了解吗？\n\n<a href="https://s.example/r/abc?x=1&amp;y=2">想了解 &lt;更多&gt;</a>'
        '　<a href="https://s.example/r/def">不感兴趣</a>')
    assert with_plain_links("要了解吗？", choices) == (
        "要了解吗？\n\n想了解 <更多>：https://s.example/r/abc?x=1&y=2\n不感兴趣：https://s.example/r/def")
    assert with_html_links("要了解吗？", ()) == with_plain_links("要了解吗？", ()) == "要了解吗？"
