"""Every playbook shipped in playbooks/ loads, times and renders with a sample customer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.playbooks.loader import load_playbook_dir, playbook_files
from bot.playbooks.schema import Playbook
from bot.playbooks.templates import (CustomerContext, EventContext, GuideContext, compile_template, evaluate, render,
    template_context)
from bot.playbooks.timing import QuietHours, step_due_time

PLAYBOOK_DIR = Path(__file__).resolve().parents[2] / "playbooks"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=SH)

SAMPLE_EVENTS = {
    "treatment_completed": {"item": "光子嫩肤", "doctor": "李医生"},
    "class_scheduled": {"class_name": "产后瑜伽", "teacher": "陈", "location": "二楼 A 教室",
                        "class_start": "2025-03-12T19:00:00+08:00",
                        "class_end": "2025-03-12T20:30:00+08:00"},
    "order_completed": {"order_id": "A1001", "amount": 399},
}
EXPECTED = {"post-treatment-followup", "class-reminders", "re-engagement", "welcome-series",
            "birthday", "nps-survey"}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Playbook]:
    result = load_playbook_dir(PLAYBOOK_DIR)
    assert not result.errors, "\n".join(str(error) for error in result.errors.values())
    return result.playbooks


def sample_customer() -> CustomerContext:
    return CustomerContext(name="王女士", tags=("意向:预约",), stage="active", value_tier="B",
                           attributes={"city": "上海"}, guide=GuideContext("小林", "lin"),
                           birthday=date(1990, NOW.month, NOW.day))


def sample_event(playbook: Playbook) -> EventContext:
    kind = playbook.trigger.kind
    event_type = playbook.trigger.event if kind == "event" else kind
    return EventContext(type=event_type or kind, data=SAMPLE_EVENTS.get(event_type or "", {}),
                        at=NOW)


def test_every_shipped_file_is_a_valid_playbook(shipped: dict[str, Playbook]) -> None:
    assert set(shipped) == EXPECTED
    assert len(playbook_files(PLAYBOOK_DIR)) == len(EXPECTED)


@pytest.mark.parametrize("playbook_id", sorted(EXPECTED))
def test_steps_time_and_render(shipped: dict[str, Playbook], playbook_id: str) -> None:
    playbook = shipped[playbook_id]
    customer = sample_customer()
    event = sample_event(playbook)
    attributes = {**customer.attributes, "birthday": customer.birthday, **event.data}
    quiet = QuietHours()

    for condition in (playbook.audience.condition, playbook.exit.condition):
        if condition:
            evaluate(condition, **template_context(customer=customer, event=event, now=NOW))

    trigger_relative: list[datetime] = []
    for step in playbook.steps:
        due = step_due_time(step, NOW, SH, attributes)
        assert due is not None, f"{playbook_id}.{step.id} has no due time"
        assert due >= NOW and not quiet.contains(quiet.next_allowed(due))
        if step.of is None and step.on is None:
            trigger_relative.append(due)

        context = template_context(customer=customer, event=event, now=NOW, step=step,
                                   playbook=playbook, link="https://t.example/r/abc123")
        texts = [render(arm.template, **context) for arm in step.arms()]
        texts += [render(template, **context)
                  for template in map(compile_template, (step.template_data or {}).values())]
        for text in texts:
            assert text and "{{" not in text and "{%" not in text
        for arm in step.arms():
            rendered = render(arm.template, **context)
            assert "王女士" in rendered, f"{playbook_id}.{step.id}.{arm.name} lacks the name"
            if step.link:
                assert "https://t.example/r/abc123" in rendered
    assert trigger_relative == sorted(trigger_relative), "steps are listed out of time order"


def test_birthday_audience_matches_only_today(shipped: dict[str, Playbook]) -> None:
    schedule = shipped["birthday"].trigger.schedule
    assert schedule is not None and schedule.audience_condition is not None
    birthday_today = sample_customer()
    other = CustomerContext(name="张先生", birthday=date(1985, 7, 1))
    unknown = CustomerContext(name="赵先生")
    matches = [evaluate(schedule.audience_condition, **template_context(customer=c, now=NOW))
               for c in (birthday_today, other, unknown)]
    assert matches == [True, False, False]
    assert schedule.cron_trigger(SH).get_next_fire_time(None, NOW) == NOW


def test_welcome_series_has_an_ab_test_with_holdout(shipped: dict[str, Playbook]) -> None:
    step = shipped["welcome-series"].step("day1-intro")
    assert [variant.name for variant in step.variants] == ["story", "benefit"]
    assert step.holdout > 0


def test_nps_survey_expects_scores(shipped: dict[str, Playbook]) -> None:
    assert {step.expects_reply for step in shipped["nps-survey"].steps} == {"nps"}


def test_marketing_messages_carry_the_opt_out_hint(shipped: dict[str, Playbook]) -> None:
    for playbook_id in ("re-engagement", "birthday", "nps-survey"):
        for step in shipped[playbook_id].steps:
            for arm in step.arms():
                assert "回复 TD 退订" in arm.text, f"{playbook_id}.{step.id}"
