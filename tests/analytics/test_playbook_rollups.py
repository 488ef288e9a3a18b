"""剧本效果 from its per-day rollups equals a direct recount of the raw rows on seeded history, also
when deliveries, enrolments and clicks change long after the day their enrolment entered, before
and after the rollups job has seen the change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from bot.analytics.playbook_report import playbook_report, report_json
from bot.analytics.playbook_rollups import MARK_KEY, THROUGH_KEY, rolled_through
from bot.analytics.rollups import DailyRollups
from bot.analytics.sample import SAMPLE_PLAYBOOK, SampleSize, seed_history
from bot.clock import FrozenClock
from bot.config import RetentionConfig
from bot.db import Database
from bot.models import Delivery, Enrolment, Event, LinkClick, PlaybookReportDay, SharedValue, TrackedLink
from bot.retention.sweep import Retention
from bot.schema import upgrade
from tests.analytics.support import SH

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url, FrozenClock(NOW))
    upgrade(database)
    seed_history(database, NOW, SampleSize(240, days=60))
    with database.session() as s:  # 想了解 answers, one without a step
        for i, (step, option) in enumerate([("step1", "interested"), ("step1", "not_interested"),
                                            ("step2", "interested"), (None, "interested"), ("step1", "other")]):
            data = {"playbook": SAMPLE_PLAYBOOK, "option": option, **({"step": step} if step else {})}
            s.add(Event(customer_id=1 + i, type="feedback_clicked", source="kf", data=data,
                        occurred_at=NOW - timedelta(days=10 * i), created_at=NOW - timedelta(days=10 * i)))
    yield database
    database.dispose()


def recount(db: Database) -> dict[str, Any]:
    """The report's numbers from the raw rows, counted in Python."""
    with db.session() as s:
        enrolments = {e.id: e for e in s.scalars(select(Enrolment).where(Enrolment.playbook_id == SAMPLE_PLAYBOOK))}
        deliveries = list(s.scalars(select(Delivery).where(Delivery.playbook_id == SAMPLE_PLAYBOOK)))
        clicked = set(s.scalars(select(TrackedLink.delivery_id).join(LinkClick, LinkClick.link_id == TrackedLink.id)
                                .where(TrackedLink.url.not_like("feedback:%"))))
        answers = [e.data for e in s.scalars(select(Event).where(Event.type == "feedback_clicked"))]
    statuses: dict[str, int] = {}
    for e in enrolments.values():
        statuses[e.status] = statuses.get(e.status, 0) + 1
    steps: dict[Any, dict[str, Any]] = {}
    arms: dict[tuple[str, str], list[Any]] = {}
    held = {d.enrolment_id for d in deliveries if d.variant == "holdout"}
    for d in deliveries:
        step = steps.setdefault(d.step_id, {"sent": 0, "failed": 0, "skipped": 0, "scheduled": 0, "replied": 0,
                                            "clicked": 0, "errcodes": {}, "interested": 0, "not_interested": 0})
        if d.status in step:
            step[d.status] += 1
        if d.status == "failed":
            key = str(d.errcode) if d.errcode is not None else "未知"
            step["errcodes"][key] = step["errcodes"].get(key, 0) + 1
        step["replied"] += d.replied_at is not None
        step["clicked"] += d.id in clicked
        if d.variant and d.variant != "holdout":
            arm = arms.setdefault((d.step_id, d.variant), [set(), 0])
            arm[0].add(d.enrolment_id)
            arm[1] += enrolments[d.enrolment_id].status == "converted"
    for data in answers:
        if data.get("playbook") == SAMPLE_PLAYBOOK and data.get("option") in ("interested", "not_interested"):
            step = steps.setdefault(data.get("step"), {"interested": 0, "not_interested": 0})
            step[data["option"]] += 1
    groups = {flag: [e for e in enrolments.values() if (e.id in held) == flag] for flag in (False, True)}
    return {
        "entered": len(enrolments), "statuses": statuses,
        "steps": {name: {k: v for k, v in counts.items()} for name, counts in steps.items()},
        "arms": {key: (len(ids), conv) for key, (ids, conv) in arms.items()},
        "lift": {flag: (len(group), sum(e.status == "converted" for e in group)) for flag, group in groups.items()},
    }


def reported(db: Database) -> dict[str, Any]:
    with db.session() as s:
        data = report_json(playbook_report(s, SAMPLE_PLAYBOOK, SH))
    expected_keys = recount(db)["steps"]
    return {
        "entered": data["entered"], "statuses": data["statuses"],
        "steps": {step["step"]: {k: step[k] for k in expected_keys.get(step["step"], {})} for step in data["steps"]},
        "arms": {(a["step"], a["variant"]): (a["total"], a["successes"]) for a in data["arms"]},
        "lift": {False: (data["lift"]["treated"]["total"], data["lift"]["treated"]["successes"]),
                 True: (data["lift"]["holdout"]["total"], data["lift"]["holdout"]["successes"])},
    }


def rollup_rows(db: Database) -> set[tuple[Any, ...]]:
    with db.session() as s:
        return {tuple(r) for r in s.execute(select(PlaybookReportDay.__table__))}


def change_old_rows(db: Database) -> set[date]:
    """Late changes to enrolments of earlier days: a failed send resent, a conversion, a reply, a click,
    a step scheduled again. Returns the local days of entry they touch."""
    clock = db.clock
    assert isinstance(clock, FrozenClock)
    touched = set()
    with db.session() as s:
        old = list(s.scalars(select(Delivery).where(Delivery.playbook_id == SAMPLE_PLAYBOOK)
                             .order_by(Delivery.id).limit(40)))
        failed = next(d for d in s.scalars(select(Delivery).where(Delivery.status == "failed")))
        failed.status, failed.errcode, failed.sent_at = "sent", None, clock.now()
        for d in (failed, *old[:4]):
            touched.add(s.get(Enrolment, d.enrolment_id).enrolled_at.astimezone(SH).date())
        enrolment = s.get(Enrolment, old[0].enrolment_id)
        enrolment.status = "converted" if enrolment.status != "converted" else "exited"
        old[1].replied_at = clock.now()
        old[2].status, old[2].errcode = "failed", 40001
        link = TrackedLink(token=f"late{old[3].id}", delivery_id=old[3].id, url="https://example.com/x")
        s.add(link)
        s.flush()
        s.add(LinkClick(link_id=link.id))
    return touched


def test_report_from_rollups_equals_a_recount_with_late_changes(db: Database) -> None:
    before = recount(db)
    assert before["entered"] > 100 and before["arms"] and before["lift"][True][0] > 0
    assert reported(db) == before                                     # nothing rolled up yet: all raw
    rollups = DailyRollups(db, db.clock, SH)
    rollups.run()
    with db.session() as s:
        assert rolled_through(s)[0] == date(2026, 11, 29)
        assert s.scalar(select(func.count()).select_from(PlaybookReportDay)) > 50
    assert reported(db) == before                                     # all from the rollups

    db.clock.advance(hours=2)                                         # days later, rows of old days change
    touched = change_old_rows(db)
    after = recount(db)
    assert after != before and min(touched) < date(2026, 11, 20)
    assert reported(db) == after                                      # changed days read raw until the job runs
    rollups.run()
    assert reported(db) == after
    kept = rollup_rows(db)

    with db.session() as s:                                           # the same rows as a first run from scratch
        s.execute(delete(PlaybookReportDay))
        s.execute(delete(SharedValue).where(SharedValue.key.in_((THROUGH_KEY, MARK_KEY))))
    rollups.run()
    assert rollup_rows(db) == kept


def test_a_new_day_and_an_enrolment_of_today(db: Database) -> None:
    rollups = DailyRollups(db, db.clock, SH)
    rollups.run()
    db.clock.advance(days=2)                                          # two more whole days to roll up
    with db.session() as s:
        enrolment = s.scalar(select(Enrolment).order_by(Enrolment.id.desc()).limit(1))
        today = Enrolment(customer_id=enrolment.customer_id, playbook_id=SAMPLE_PLAYBOOK,
                          version_id=enrolment.version_id, status="active", trigger_type="event",
                          trigger_at=db.clock.now(), enrolled_at=db.clock.now(), settle_after=db.clock.now())
        s.add(today)
        s.flush()
        s.add(Delivery(enrolment_id=today.id, customer_id=today.customer_id, playbook_id=SAMPLE_PLAYBOOK,
                       step_id="step1", idempotency_key=f"today:{today.id}", due_at=db.clock.now(),
                       status="scheduled", variant="B"))
    expected = recount(db)
    assert reported(db) == expected
    rollups.run()
    with db.session() as s:
        assert rolled_through(s)[0] == date(2026, 12, 1)
    assert reported(db) == expected


def test_numbers_survive_retention_and_a_late_change_to_a_day_it_began_to_delete(db: Database) -> None:
    expected = reported(db)
    settings = RetentionConfig(messages_days=20, deliveries_days=20)
    report = Retention(db, settings, db.clock, SH).run()               # rolls up first, then deletes
    assert report.deleted["deliveries"] > 50
    assert reported(db) == expected
    db.clock.advance(hours=1)
    with db.session() as s:  # a step of an enrolment whose other deliveries are gone is resent
        survivor = s.scalar(select(Delivery).join(Enrolment, Enrolment.id == Delivery.enrolment_id)
                            .where(Enrolment.enrolled_at < NOW - timedelta(days=21))
                            .order_by(Enrolment.enrolled_at.desc()).limit(1))
        assert survivor is not None
        survivor.status, survivor.errcode = "failed", 45009
    assert reported(db) == expected                                   # that day's rollup stays as it was
    DailyRollups(db, db.clock, SH, settings).run()
    assert reported(db) == expected
