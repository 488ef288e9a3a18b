"""Enrolment: timing rules, quiet hours, audience, re-entry, goals and exits, A/B arms."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.playbooks.engine import nps_score, trigger_matches, variant_seed
from bot.playbooks.feature import sync_playbooks
from bot.playbooks.loader import parse_playbook
from tests.playbooks.support import SH, SHIPPED_DIR, START, simple_playbook

STEPS = """
[[steps]]
id = "soon"
after = "2h"
channels = ["kf"]
text = "两小时后"

[[steps]]
id = "day3"
after = "3d"
at = "10:00"
channels = ["kf"]
text = "第三天 10 点"

[[steps]]
id = "eve"
before = "1h"
of = "class_start"
channels = ["kf"]
text = "课前一小时"

[[steps]]
id = "late"
after = "12h"
channels = ["kf"]
text = "深夜会被推迟"
"""


def local(delivery_due: datetime) -> datetime:
    return delivery_due.astimezone(SH)


def test_enrolling_schedules_every_step_by_its_timing_rule(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=STEPS)})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed", {"class_start": "2026-11-04T19:00:00+08:00"})

    due = {d.step_id: local(d.due_at) for d in h.deliveries(customer)}
    assert due["soon"] == START + timedelta(hours=2)
    assert due["day3"] == datetime(2026, 11, 5, 10, 0, tzinfo=SH)          # after 3d at 10:00
    assert due["eve"] == datetime(2026, 11, 4, 18, 0, tzinfo=SH)           # 1 h before class_start
    # 22:00 falls in the quiet hours (21:30–08:30): deferred to the morning, never dropped
    assert due["late"] == datetime(2026, 11, 3, 8, 30, tzinfo=SH)
    assert {d.status for d in h.deliveries(customer)} == {"scheduled"}
    [enrolment] = h.enrolments(customer)
    assert enrolment.status == "active" and enrolment.context["data"]["class_start"].startswith("2026-11-04")


def test_missing_date_attribute_and_passed_steps_are_skipped_with_a_reason(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=STEPS)})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed", {})                      # no class_start
    assert "class_start" in h.delivery(customer, "eve").last_error
    assert h.delivery(customer, "eve").status == "skipped"

    other = h.kf_customer("李先生")
    h.event(other, "treatment_completed", {"class_start": "2026-11-02T09:30:00+08:00"})  # class began already
    eve = h.delivery(other, "eve")
    assert eve.status == "skipped" and "had passed" in eve.last_error


def test_quiet_hours_from_config(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()}, scheduler={"quiet_hours": ["09:00", "12:00"]})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")                         # +1 h = 11:00, inside 09:00–12:00
    assert local(h.delivery(customer, "hello").due_at) == datetime(2026, 11, 2, 12, 0, tzinfo=SH)


def test_audience_condition_and_opted_out_customers(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(extra="[audience]\nwhen = \"'VIP' not in customer.tags\"\n")})
    lost = h.kf_customer("VIP 客户")
    _tag(h, lost, "VIP")
    opted_out = h.kf_customer("退订客户")
    h.update_customer(opted_out, opted_out=True)
    welcome = h.kf_customer("正常客户")
    for customer in (lost, opted_out, welcome):
        h.event(customer, "treatment_completed")
    assert h.enrolments(lost) == [] and h.enrolments(opted_out) == []
    assert len(h.enrolments(welcome)) == 1


def reentry_playbook(rule: str) -> str:
    return simple_playbook(extra=f'[audience]\nreentry = "{rule}"\n\n[exit]\ngoal = {{ event = "revisit_booked" }}\n')


def test_reentry_never_after_exit_and_always(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({f"{rule}.toml": reentry_playbook(rule).replace('id = "care"', f'id = "{rule.replace("_", "-")}"')
                 for rule in ("never", "after_exit", "always")})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.event(customer, "treatment_completed")                          # while the first is active
    counts = {pid: len([e for e in h.enrolments(customer) if e.playbook_id == pid])
              for pid in ("never", "after-exit", "always")}
    assert counts == {"never": 1, "after-exit": 1, "always": 2}

    h.event(customer, "revisit_booked")                                # the goal ends every enrolment
    assert {e.status for e in h.enrolments(customer)} == {"converted"}
    h.event(customer, "treatment_completed")
    counts = {pid: len([e for e in h.enrolments(customer) if e.playbook_id == pid])
              for pid in ("never", "after-exit", "always")}
    assert counts == {"never": 1, "after-exit": 2, "always": 3}


def test_goal_within_window_converts_and_cancels_the_rest(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("post-treatment-followup",))
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed", {"item": "光子嫩肤"})
    h.advance(days=1)
    h.dispatch()
    h.event(customer, "revisit_booked")
    [enrolment] = h.enrolments(customer)
    assert (enrolment.status, enrolment.reason) == ("converted", "goal revisit_booked")
    statuses = {d.step_id: d.status for d in h.deliveries(customer)}
    assert statuses == {"day1-care": "sent", "day3-checkin": "cancelled", "day7-photo-review": "cancelled",
                        "day30-revisit": "cancelled"}


def test_goal_after_its_window_does_not_convert(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(extra='[exit]\ngoal = { event = "order_paid", within = "2d" }\n')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(days=3)
    h.event(customer, "order_paid")
    assert h.enrolments(customer)[0].status == "active"


def test_exit_condition_on_a_tag_event_and_at_dispatch(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("post-treatment-followup",))
    first, second = h.kf_customer("王女士"), h.kf_customer("李女士")
    for customer in (first, second):
        h.event(customer, "treatment_completed", {"item": "水光针"})
    # The first customer is tagged 已复诊 the way the tagger does it: the tag_added event exits her.
    _tag(h, first, "已复诊")
    h.record_event(first, "tag_added", {"tag": "已复诊", "source": "manual"})
    assert h.enrolments(first)[0].status == "exited"
    assert {d.status for d in h.deliveries(first)} == {"cancelled"}

    _tag(h, second, "已复诊")                                          # no event: caught at dispatch
    h.advance(days=1)
    h.dispatch()
    assert h.enrolments(second)[0].status == "exited"
    assert h.delivered(second) == []


def _tag(h, customer_id: int, name: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.models import CustomerTag, Tag

    with h.db.session() as session:
        tag = session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        if not session.scalar(select(CustomerTag).where(CustomerTag.customer_id == customer_id,
                                                        CustomerTag.tag_id == tag.id)):
            session.add(CustomerTag(customer_id=customer_id, tag_id=tag.id, source="manual"))


def test_ab_arms_are_deterministic_per_customer_and_holdout_is_skipped(journey) -> None:  # type: ignore[no-untyped-def]
    playbook = parse_playbook((SHIPPED_DIR / "welcome-series.toml").read_text(encoding="utf-8"))
    step = playbook.step("day1-intro")
    picks = [step.choose_variant(str(i)) for i in range(1, 401)]
    assert picks == [step.choose_variant(str(i)) for i in range(1, 401)]       # same seed, same arm
    names = [p.name if p else "holdout" for p in picks]
    assert {"story", "benefit", "holdout"} == set(names)
    assert 10 <= names.count("holdout") <= 80                                  # about 10 %

    h = journey(shipped=("welcome-series",))
    customers = [h.kf_customer(f"客户{i}") for i in range(12)]
    h.advance(days=1)
    h.dispatch()
    for customer in customers:
        [enrolment] = h.enrolments(customer)
        intro = h.delivery(customer, "day1-intro")
        expected = step.choose_variant(variant_seed(enrolment.customer_id, "welcome-series"))
        assert intro.variant == (expected.name if expected else "holdout") == enrolment.variants["day1-intro"]
        if expected is None:
            assert (intro.status, intro.last_error) == ("skipped", "holdout")
        else:
            assert intro.status == "sent"
            marker = {"story": "简单介绍", "benefit": "新朋友专享"}[expected.name]
            assert marker in h.delivered(customer)[-1]


def test_pure_helpers() -> None:
    assert [nps_score(text) for text in ("9", " 10 ", "１０", "8分", "7。", "11", "十", "9 points")] == \
        [9, 10, 10, 8, 7, None, None, None]
    trigger = parse_playbook(simple_playbook(trigger='stage_changed = "active"\nfrom = "new"')).trigger
    assert trigger_matches(trigger, "stage_changed", {"from": "new", "to": "active"})
    assert not trigger_matches(trigger, "stage_changed", {"from": "lost", "to": "active"})


def test_an_enrolment_keeps_the_version_it_started_with(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    before = h.kf_customer("王女士")
    h.event(before, "treatment_completed")
    edited = simple_playbook().replace("这是第一条关怀消息", "这是改版后的关怀消息")
    (Path(h.config.bot.playbooks_dir) / "care.toml").write_text(edited, encoding="utf-8")
    report = sync_playbooks(h.runtime)                               # what `siyu playbook import` does
    assert report is not None and len(report.updated) == 1
    after = h.kf_customer("李女士")
    h.event(after, "treatment_completed")
    h.advance(hours=1)
    assert h.dispatch().sent == 2
    assert h.delivered(before) == ["王女士您好，这是第一条关怀消息"]     # her journey's text stays
    assert h.delivered(after) == ["李女士您好，这是改版后的关怀消息"]
    [old], [new] = h.enrolments(before), h.enrolments(after)
    assert new.version_id != old.version_id
