"""Semantics that mean what the docs say: quiet hours and late entry per step, goals with several
events and windows from a date, metrics in conditions (issue 13), through the simulator."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.playbooks.engine import plan_step
from bot.playbooks.loader import parse_playbook
from bot.playbooks.timing import QuietHours
from tests.playbooks.support import SH, START, simple_playbook


def reminder(extra: str) -> str:
    return simple_playbook(trigger='event = "class_booked"', steps=f"""
[[steps]]
id = "remind"
before = "2h"
of = "class_at"
channels = ["kf"]
{extra}
text = "课程{{{{ event.data.class_at | datetime_cn }}}}开始"
""")


def planned(extra: str, class_at: datetime, now: datetime):  # type: ignore[no-untyped-def]
    step = parse_playbook(reminder(extra)).steps[0]
    return plan_step(step, now, {"class_at": class_at.isoformat()}, now, QuietHours(tz=SH), SH)


def test_a_countdown_step_that_quiet_hours_would_push_past_its_date() -> None:
    booked = datetime(2026, 11, 2, 12, 0, tzinfo=SH)
    early_class = datetime(2026, 11, 3, 7, 30, tzinfo=SH)          # 2 h before: 05:30, inside quiet hours
    ignored = planned("", early_class, booked)
    assert ignored.due_at == datetime(2026, 11, 3, 8, 30, tzinfo=SH)   # the old way: after the class
    before = planned('quiet_hours = "before"', early_class, booked)
    assert before.due_at == datetime(2026, 11, 2, 21, 29, tzinfo=SH) and not before.skip_reason
    skipped = planned('quiet_hours = "skip"', early_class, booked)
    assert skipped.skip_reason.startswith("quiet hours would move it")
    evening_booking = datetime(2026, 11, 2, 23, 0, tzinfo=SH)       # nothing earlier is left
    assert "no earlier time is left" in planned('quiet_hours = "before"', early_class, evening_booking).skip_reason


def test_a_customer_who_enters_after_the_steps_time() -> None:
    now = datetime(2026, 11, 2, 12, 0, tzinfo=SH)
    soon = now + timedelta(minutes=30)                              # "2 h before" was 90 minutes ago
    assert planned('late = "send"', soon, now).due_at == now
    assert planned('late = "skip"', soon, now).skip_reason.endswith("had passed when the customer entered")
    much_later = now + timedelta(hours=1, minutes=30)               # 30 min late: within the default grace
    assert planned("", much_later, now).due_at == now
    assert planned('late = "send"', now - timedelta(hours=5), now).due_at == now  # however late


def test_quiet_hours_before_needs_a_countdown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.cli.main import main

    path = tmp_path / "p.toml"
    path.write_text(simple_playbook().replace('after = "1h"', 'after = "1h"\nquiet_hours = "before"'), encoding="utf-8")
    assert main(["playbook", "check", str(path)]) == 1


def goal_playbook(goal: str) -> str:
    return simple_playbook(trigger='event = "class_booked"', extra=f"[exit]\ngoal = {goal}\n", steps="""
[[steps]]
id = "later"
after = "20d"
channels = ["kf"]
text = "后续"
""")


def test_several_goal_events_convert(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"gym.toml": goal_playbook('{ events = ["membership_purchased", "class_pack_purchased"] }')})
    first, second = h.kf_customer("甲"), h.kf_customer("乙")
    for customer in (first, second):
        h.event(customer, "class_booked", {"class_at": (START + timedelta(days=1)).isoformat()})
    h.event(first, "class_pack_purchased")
    h.event(second, "order_paid")                                   # not a goal
    assert [e.status for e in h.enrolments(first)] == ["converted"]
    assert [e.status for e in h.enrolments(second)] == ["active"]


def test_a_goal_window_counted_from_a_date(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"gym.toml": goal_playbook('{ event = "membership_purchased", within = "3d", from = "class_at" }')})
    in_window, too_late = h.kf_customer("甲"), h.kf_customer("乙")
    class_at = START + timedelta(days=10)                           # the class is in ten days
    for customer in (in_window, too_late):
        h.event(customer, "class_booked", {"class_at": class_at.isoformat()})
    h.advance(days=12)                                              # 2 days after the class: in the window
    h.event(in_window, "membership_purchased")
    h.advance(days=2)                                               # 4 days after the class: too late
    h.event(too_late, "membership_purchased")
    assert [e.status for e in h.enrolments(in_window)] == ["converted"]
    assert [e.status for e in h.enrolments(too_late)] != ["converted"]


def test_metrics_in_an_exit_condition(journey) -> None:  # type: ignore[no-untyped-def]
    """`customer.messages_30d >= 2` in an exit condition works (it used to fail on every event)."""
    h = journey({"care.toml": simple_playbook(extra='[exit]\nwhen = "customer.messages_30d >= 3"\n', steps="""
[[steps]]
id = "later"
after = "2d"
channels = ["kf"]
text = "后续"
""")})
    customer = h.kf_customer("王女士")                                # wrote once
    h.event(customer, "treatment_completed")
    assert [e.status for e in h.enrolments(customer)] == ["active"]
    h.sim.kf_message(h.external_userid(customer), "第二条")
    h.sim.kf_message(h.external_userid(customer), "第三条")
    h.settle()
    h.event(customer, "order_paid")                                  # any event re-checks exits
    assert [e.status for e in h.enrolments(customer)] == ["exited"]
