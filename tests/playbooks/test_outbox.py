"""The dispatcher: once only, caps, opt-out, retries, leases, tracked links, replies and NPS."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import pytest
import requests
from sqlalchemy import func, select

from bot.models import Event, LinkClick, TrackedLink
from bot.playbooks.outbox import CAP_LOCK_SPACE, MAX_ATTEMPTS
from tests.playbooks.support import SH, simple_playbook

TWO_STEPS = """
[[steps]]
id = "first"
after = "1h"
channels = ["kf"]
text = "第一条"

[[steps]]
id = "second"
after = "2h"
channels = ["kf"]
text = "第二条"
"""


def test_running_the_dispatcher_twice_sends_once(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    assert h.dispatch().claimed == 0                                  # not due yet
    h.advance(hours=1)
    assert h.dispatch().sent == 1
    assert h.dispatch().claimed == 0
    assert h.delivered(customer) == ["王女士您好，这是第一条关怀消息"]
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "kf", 1)
    assert delivery.message_id is not None


def test_a_lost_lease_is_claimed_again_and_sent_once(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    crashed = h.crashed_worker()
    assert len(crashed.claim(10)) == 1                                 # claimed, then the worker died
    assert h.dispatch().claimed == 0                                   # the lease still holds
    h.advance(minutes=6)
    assert h.dispatch().sent == 1
    assert h.delivered(customer) == ["王女士您好，这是第一条关怀消息"]
    # The dead worker wakes up and tries to finish: its claim is gone, nothing is sent or marked.
    assert crashed.process([h.delivery(customer, "hello").id]).sent == 0
    assert len(h.delivered(customer)) == 1


def test_a_resend_after_a_crash_reuses_the_kf_msgid(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.send_then_crash("kf")
    h.advance(minutes=6)
    assert h.dispatch().sent == 1
    records = h.sim.sent(api="kf/send_msg", to=h.external_userid(customer))
    assert [r["delivered"] for r in records] == [True, False]          # the second was a duplicate msgid
    assert records[0]["msgid"] == records[1]["payload"]["msgid"]


def test_frequency_cap_defers_to_the_next_day(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=TWO_STEPS, extra="[caps]\nper_day = 1\n")})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=2)
    stats = h.dispatch()
    assert (stats.sent, stats.deferred) == (1, 1)
    second = h.delivery(customer, "second")
    assert second.status == "scheduled"
    assert second.due_at.astimezone(SH) == datetime(2026, 11, 3, 8, 30, tzinfo=SH)  # next day, after quiet hours
    h.at(datetime(2026, 11, 3, 8, 30, tzinfo=SH))
    assert h.dispatch().sent == 1
    assert h.delivered(customer) == ["第一条", "第二条"]


def test_frequency_cap_can_skip_instead(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=TWO_STEPS, extra='[caps]\nper_day = 1\nover_cap = "skip"\n')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=2)
    stats = h.dispatch()
    assert (stats.sent, stats.skipped) == (1, 1)
    second = h.delivery(customer, "second")
    assert (second.status, second.last_error) == ("skipped", "frequency cap")


THREE_AT_ONCE = "".join(f"""
[[steps]]
id = "s{i}"
after = "1h"
channels = ["kf"]
text = "第{i}条"
""" for i in (1, 2, 3))


def test_the_cap_counts_what_another_worker_is_sending(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=THREE_AT_ONCE, extra="[caps]\nper_day = 2\n")})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    other = h.crashed_worker()                  # a second dispatcher, alive, holding the first step
    held = other.claim(1)
    stats = h.dispatch()
    assert (stats.sent, stats.deferred) == (1, 1)               # one more fits beside the one in flight
    assert other.process(held).sent == 1
    assert sorted(h.delivered(customer)) == ["第1条", "第2条"]  # the cap of 2 held across workers
    assert h.delivery(customer, "s3").status == "scheduled"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_customer_another_worker_is_deciding_waits_for_the_next_tick(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=THREE_AT_ONCE, extra="[caps]\nper_day = 2\n")})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    with h.db.engine.connect() as other:        # another dispatcher, mid-prepare for this customer
        other.execute(select(func.pg_advisory_xact_lock(CAP_LOCK_SPACE, customer)))
        stats = h.dispatch()
        assert (stats.sent, stats.released) == (0, 3)
        assert {(d.status, d.claimed_by) for d in h.deliveries(customer)} == {("scheduled", None)}
        other.rollback()
    stats = h.dispatch()
    assert (stats.sent, stats.deferred) == (2, 1)
    assert sorted(h.delivered(customer)) == ["第1条", "第2条"]


def test_the_global_cap_counts_every_playbook(journey) -> None:  # type: ignore[no-untyped-def]
    texts = {f"p{i}.toml": simple_playbook(f"p{i}") for i in range(4)}
    h = journey(texts)
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    stats = h.dispatch()
    assert (stats.sent, stats.deferred) == (3, 1)                      # [scheduler] cap_per_day: 3 by default


def test_quiet_hours_at_dispatch_defer_a_retry(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.at(datetime(2026, 11, 2, 23, 0, tzinfo=SH))                     # the worker was down until 23:00
    assert h.dispatch().deferred == 1
    assert h.delivery(customer, "hello").due_at.astimezone(SH) == datetime(2026, 11, 3, 8, 30, tzinfo=SH)


def test_opted_out_customers_get_nothing(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.update_customer(customer, opted_out=True)
    h.advance(hours=1)
    assert h.dispatch().skipped == 1
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.last_error) == ("skipped", "opted_out")
    assert h.delivered(customer) == []


def test_unsubscribe_keyword_opts_out_before_the_step(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.sim.kf_message(h.external_userid(customer), "TD")               # the tagger marks her opted out
    h.settle()
    h.advance(hours=1)
    h.dispatch()
    assert (h.delivery(customer, "hello").status, h.delivery(customer, "hello").last_error) == ("skipped", "opted_out")
    assert not any("关怀" in text for text in h.delivered(customer))


def test_frequency_limit_is_retried_with_backoff(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("kf/send_msg", errcode=45009, times=2)
    assert h.dispatch().retried == 1
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.attempts, delivery.errcode) == ("scheduled", 1, 45009)
    assert h.dispatch().claimed == 0                                   # backing off
    h.advance(minutes=1)
    assert h.dispatch().retried == 1
    h.advance(minutes=2)
    assert h.dispatch().sent == 1
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.attempts, delivery.errcode) == ("sent", 3, 0)
    assert h.delivered(customer) == ["王女士您好，这是第一条关怀消息"]


def test_a_timeout_is_retried_and_the_customer_gets_the_message_once(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook()}, wecom={"timeout_seconds": 1})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("kf/send_msg", delay_seconds=2.5)                # WeChat delivers, but answers too late
    assert h.dispatch().retried == 1
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.attempts) == ("scheduled", 1)
    assert "timeout" in delivery.last_error

    def sent() -> list[dict]:
        return h.sim.sent(api="kf/send_msg", to=h.external_userid(customer))

    deadline = time.monotonic() + 10
    while not sent() and time.monotonic() < deadline:            # the slow call completes in WeChat
        time.sleep(0.05)
    h.advance(minutes=1)
    assert h.dispatch().sent == 1                                 # the retry carries the same msgid
    assert h.delivered(customer) == ["王女士您好，这是第一条关怀消息"]
    assert [r["delivered"] for r in sent()] == [True, False]


def _wait_for(records: Callable[[], list[dict]], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(records()) < count and time.monotonic() < deadline:      # the slow call completes in WeChat
        time.sleep(0.05)


def test_an_mp_custom_message_answered_after_the_timeout_is_not_sent_twice(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook().replace('["kf", "mp_custom", "guide_task"]',
                                                        '["mp_custom", "guide_task"]')}, wecom={"timeout_seconds": 1},
                mp={"timeout_seconds": 1})
    customer = h.mp_follower("o_wang", write="你好")
    h.update_customer(customer, name="王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("mp/message/custom/send", delay_seconds=2.5)        # WeChat delivers, but answers too late
    stats = h.dispatch()
    assert (stats.unknown, stats.sent, stats.retried) == (1, 0, 0)
    _wait_for(lambda: h.sim.sent(api="mp/message/custom/send", to="o_wang"), 1)
    h.advance(hours=2)
    assert h.dispatch().claimed == 0                                   # nothing to send again
    delivery = h.delivery(customer, "hello")
    assert delivery.status == "unknown" and "may have delivered" in delivery.last_error
    assert h.delivered(customer, api="mp/message/custom/send") == ["王女士您好，这是第一条关怀消息"]
    assert h.guide_tasks() == []                                       # and no second channel's message
    assert h.api("GET", "/healthz").json()["deliveries_unknown"] == 1  # visible


def test_resend_after_timeout_makes_a_channel_at_least_once_through_itself_only(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook().replace('["kf", "mp_custom", "guide_task"]',
                                                        '["mp_custom", "guide_task"]')},
                mp={"timeout_seconds": 1}, channels={"resend_after_timeout": ["mp_custom"]})
    customer = h.mp_follower("o_wang", write="你好")
    h.update_customer(customer, name="王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("mp/message/custom/send", delay_seconds=2.5)
    assert h.dispatch().retried == 1
    assert h.delivery(customer, "hello").pinned_channel == "mp_custom"
    _wait_for(lambda: h.sim.sent(api="mp/message/custom/send", to="o_wang"), 1)
    h.advance(minutes=1)
    assert h.dispatch().by_channel == {"mp_custom": 1}
    assert len(h.delivered(customer, api="mp/message/custom/send")) == 2   # at least once: here twice
    assert h.guide_tasks() == []


def test_server_errors_give_up_after_max_attempts_with_the_errcode_visible(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook().replace('["kf", "mp_custom", "guide_task"]', '["kf"]')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("kf/send_msg", errcode=45033, times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        h.dispatch()
        h.advance(hours=1)
    delivery = h.delivery(customer, "hello")
    assert (delivery.status, delivery.attempts, delivery.errcode) == ("failed", MAX_ATTEMPTS, 45033)
    assert "45033" in delivery.last_error


def test_tracked_link_records_the_click_and_redirects(journey) -> None:  # type: ignore[no-untyped-def]
    steps = """
[[steps]]
id = "offer"
after = "1h"
channels = ["kf"]
link = "https://example.com/offer?x=1"
text = "点这里：{{ link }}"
"""
    h = journey({"care.toml": simple_playbook(steps=steps, extra='[exit]\ngoal = { event = "link_clicked" }\n')})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()
    [text] = h.delivered(customer)
    assert text.startswith("点这里：http://links.test/r/")
    token = text.rsplit("/", 1)[1]
    response = requests.get(f"{h.bot_url}/r/{token}", allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == "https://example.com/offer?x=1"
    assert requests.get(f"{h.bot_url}/r/nope", allow_redirects=False, timeout=10).status_code == 404
    offer_id = h.delivery(customer, "offer").id
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(LinkClick)) == 1
        assert session.scalar(select(TrackedLink.delivery_id)) == offer_id
        assert session.scalar(select(Event.type).where(Event.type == "link_clicked")) == "link_clicked"
    assert h.enrolments(customer)[0].status == "converted"            # a click can be the goal


def test_a_reply_is_attributed_to_the_latest_delivery(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=TWO_STEPS)})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=2)
    h.dispatch()
    h.advance(minutes=10)
    h.sim.kf_message(h.external_userid(customer), "收到，谢谢")
    h.settle()
    first, second = h.delivery(customer, "first"), h.delivery(customer, "second")
    assert first.replied_at is None
    assert second.replied_at == h.clock.now() and second.reply_message_id is not None


def test_nps_reply_is_recorded_as_a_score_and_reaches_the_goal(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("nps-survey",))
    customer = h.kf_customer("王女士")
    h.event(customer, "order_completed", {"order_id": "A1"})
    h.at(datetime(2026, 11, 5, 19, 0, tzinfo=SH))                     # 3 days later at 19:00
    assert h.dispatch().sent == 1
    assert "0–10" in h.delivered(customer)[0]
    h.advance(minutes=5)
    h.sim.kf_message(h.external_userid(customer), "9分")
    h.settle()
    with h.db.session() as session:
        event = session.scalar(select(Event).where(Event.type == "nps_answered"))
        assert event is not None and event.data["score"] == 9 and event.data["step"] == "ask-score"
    [enrolment] = h.enrolments(customer)
    assert enrolment.status == "converted"
    assert h.delivery(customer, "reminder").status == "cancelled"
    h.sim.kf_message(h.external_userid(customer), "10")                # a second number is not a new score
    h.settle()
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "nps_answered")) == 1


def test_a_duplicate_msgid_answered_with_an_errcode_the_bot_does_not_know_is_never_a_second_channel(journey) -> None:  # type: ignore[no-untyped-def]
    """WeChat does not document the errcode of a repeated msgid (the simulator answers 40058). Had it
    another, the bot would not read the retry's refusal as "already sent": the outcome stays unknown,
    and no other channel is tried (the customer may have the message already)."""
    h = journey({"care.toml": simple_playbook()}, wecom={"timeout_seconds": 1, "kf_duplicate_msgid_errcodes": []})
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("kf/send_msg", delay_seconds=2.5)                # WeChat delivers, but answers too late
    assert h.dispatch().retried == 1
    _wait_for(lambda: h.sim.sent(api="kf/send_msg", to=h.external_userid(customer)), 1)
    h.advance(minutes=1)
    stats = h.dispatch()                                          # the retry: 40058, unknown to this config
    assert (stats.unknown, stats.by_channel) == (1, {})
    delivery = h.delivery(customer, "hello")
    assert delivery.status == "unknown" and "40058" in delivery.last_error
    assert h.delivered(customer) == ["王女士您好，这是第一条关怀消息"]   # once, through kf only
    assert h.guide_tasks() == [] and h.sim.sent(api="mp/message/custom/send") == []
