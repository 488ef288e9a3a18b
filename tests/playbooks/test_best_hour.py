"""`at = "best"` (issue 11): each customer gets the step at their own most active hour."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.playbooks.loader import PlaybookError, parse_playbook
from bot.playbooks.preview import preview_lines
from bot.playbooks.timing import QuietHours
from bot.tagging.send_time import best_hour
from tests.playbooks.support import SH, START, simple_playbook

BEST = """
[[steps]]
id = "tip"
after = "1d"
at = "best"
fallback = "10:00"
channels = ["kf", "guide_task"]
text = "{{ customer.name }}，今天的护理小贴士"
"""


def test_each_customer_gets_the_step_at_their_own_hour(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"tips.toml": simple_playbook("tips", steps=BEST)})
    evening, lunch, newcomer = (h.kf_customer(name, write=None) for name in ("晚上聊", "午休聊", "新来的"))
    for day in range(6):  # a week of history: one writes around 20:00, the other around 12:15
        h.at(START + timedelta(days=day, hours=10, minutes=day))
        h.sim.kf_message(h.external_userid(evening), "在吗，问一下")
        h.settle()  # the bot reads the message now, on its clock
        h.at(START + timedelta(days=day, hours=2, minutes=15))
        h.sim.kf_message(h.external_userid(lunch), "午休了，问一下")
        h.settle()
    h.sim.kf_message(h.external_userid(newcomer), "你好")  # one message: too little to go on
    h.at(START + timedelta(days=7))
    for customer in (evening, lunch, newcomer):
        h.event(customer, "treatment_completed")
    due = {customer: h.delivery(customer, "tip").due_at.astimezone(SH) for customer in (evening, lunch, newcomer)}
    day_after = (START + timedelta(days=8)).date()
    assert {c: (d.date(), d.time()) for c, d in due.items()} == {
        evening: (day_after, time(20, 0)), lunch: (day_after, time(12, 0)), newcomer: (day_after, time(10, 0))}
    # and preview shows the same hour, saying why
    shown = "\n".join(preview_lines(h.config, h.db, h.clock, "tips", customer_id=evening))
    assert "20:00" in shown and "the customer's best hour, 20:00" in shown
    shown = "\n".join(preview_lines(h.config, h.db, h.clock, "tips", customer_id=newcomer))
    assert "10:00" in shown and "too little history" in shown


def test_best_hour_is_smoothed_needs_a_sample_and_leaves_quiet_hours() -> None:
    quiet = QuietHours(time(21, 30), time(8, 30), SH)
    assert best_hour([20, 20, 21, 19, 9], quiet) == time(20, 0)
    assert best_hour([12, 12, 12], quiet) is None  # below the minimum sample
    assert best_hour([23, 23, 0, 23, 22, 23], quiet) == time(21, 0)  # a night owl: just before quiet hours
    assert best_hour([13, 14, 14, 15, 9, 22], quiet) == time(14, 0)


def test_at_best_needs_a_fallback() -> None:
    text = simple_playbook("tips", steps=BEST.replace('fallback = "10:00"\n', ""))
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text, "tips.toml")
    assert "fallback" in str(caught.value)
