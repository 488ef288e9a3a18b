"""Lifecycle as issue 11 and 13 want it: business events and clicks are activity (per event type),
a customer silent since day one is not active, every stage change is one `stage_changed` event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import Customer, Event
from tests.support.harness import Harness


def stage(h: Harness, eu: str) -> str:
    with h.db.session() as session:
        return session.scalars(select(Customer).filter_by(external_userid=eu)).one().stage


def stage_changes(h: Harness) -> list[tuple[str, str]]:
    with h.db.session() as session:
        rows = session.scalars(select(Event).where(Event.type == "stage_changed").order_by(Event.id))
        return [(e.data["from"], e.data["to"]) for e in rows]


def check_in(h: Harness, eu: str, clock: FrozenClock, type_: str = "check_in") -> None:
    response = h.api("POST", "/api/events", json={"customer": {"external_userid": eu}, "type": type_,
                                                  "at": clock.now().isoformat(), "data": {}})
    assert response.status_code == 202


@pytest.fixture
def gym(database_url: str, clock: FrozenClock) -> Iterator[Harness]:
    """A gym that counts check-ins but not 'viewed_schedule' as activity."""
    h = Harness(database_url, clock=clock, scheduler={"activity_events": ["check_in", "link_clicked"]})
    h.seed_staff()
    yield h
    h.close()


def test_a_member_who_trains_but_never_chats_stays_active(gym: Harness, clock: FrozenClock) -> None:
    trains = gym.sim.add_customer("天天练", userid="guide_li")["external_userid"]
    browses = gym.sim.add_customer("只看看", userid="guide_li")["external_userid"]
    gym.settle()
    tagging = gym.runtime.features["tagging"]
    for _ in range(20):
        clock.advance(days=1)
        check_in(gym, trains, clock)
        check_in(gym, browses, clock, type_="viewed_schedule")  # not an activity type here
    tagging.recompute_all()
    assert stage(gym, trains) == "active"
    assert stage(gym, browses) == "dormant"


def test_silent_since_day_one_is_not_active_in_days_7_to_13(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    silent = h.sim.add_customer("不说话", userid="guide_li")["external_userid"]
    talks = h.sim.add_customer("聊过", userid="guide_li")["external_userid"]
    h.settle()
    clock.advance(days=3)
    h.sim.kf_message(talks, "你好，想了解一下")
    h.settle()
    tagging = h.runtime.features["tagging"]
    for day in range(7, 14):
        clock.advance(days=1) if day > 7 else clock.advance(days=4)
        tagging.recompute_all()
        assert (stage(h, silent), stage(h, talks)) == ("dormant", "active"), day


def test_every_stage_change_is_one_event_wherever_it_happens(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    eu = h.sim.add_customer("来去", userid="guide_li")["external_userid"]
    h.settle()
    h.sim.delete_guide(eu, userid="guide_li")  # the callback handler makes them lost
    h.settle()
    h.runtime.features["tagging"].recompute_all()  # and the hourly job agrees without a second event
    assert stage(h, eu) == "lost"
    assert stage_changes(h) == [("new", "lost")]
    clock.advance(timedelta(hours=1))
    h.runtime.features["tagging"].recompute_all()
    assert stage_changes(h) == [("new", "lost")]
