"""Each trigger kind, the scanners, and every shipped playbook end to end."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.playbooks import scanners
from bot.playbooks.scanners import Scanners
from tests.playbooks.support import SH, START, simple_playbook


def pb(playbook_id: str, trigger: str) -> dict[str, str]:
    return {f"{playbook_id}.toml": simple_playbook(playbook_id, trigger)}


def entered(h, customer: int) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e.playbook_id for e in h.enrolments(customer))


def test_event_trigger_from_the_api(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(pb("care", 'event = "treatment_completed"'))
    customer = h.kf_customer("王女士")
    h.event(customer, "order_paid")
    assert entered(h, customer) == []
    h.event(customer, "treatment_completed", {"item": "水光针"})
    assert entered(h, customer) == ["care"]
    assert h.enrolments(customer)[0].context == {"type": "treatment_completed", "data": {"item": "水光针"}}


def test_tag_added_and_keyword_triggers_through_the_tagger(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({**pb("booking", 'tag_added = "意向:预约"'), **pb("price", 'keyword = "关注:价格"'),
                 **pb("words", 'keyword = ["热玛吉", "水光针"]')})
    customer = h.kf_customer("王女士", write="我想预约一下")             # the tagger tags 意向:预约
    assert entered(h, customer) == ["booking"]
    h.sim.kf_message(h.external_userid(customer), "多少钱呀")          # 关注:价格 by keyword
    h.settle()
    assert entered(h, customer) == ["booking", "price"]
    h.sim.kf_message(h.external_userid(customer), "想了解下热玛吉")    # a raw word list
    h.settle()
    assert entered(h, customer) == ["booking", "price", "words"]
    words = [e for e in h.enrolments(customer) if e.playbook_id == "words"][0]
    assert words.trigger_type == "keyword" and words.context["data"]["text"] == "想了解下热玛吉"


def test_manual_tag_does_not_fire_a_keyword_trigger(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({**pb("price", 'keyword = "关注:价格"'), **pb("tagged", 'tag_added = "关注:价格"')})
    customer = h.kf_customer("王女士", write=None)
    h.record_event(customer, "tag_added", {"tag": "关注:价格", "source": "manual"})
    assert entered(h, customer) == ["tagged"]


def test_stage_changed_trigger_with_from(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({**pb("any", 'stage_changed = "dormant"'),
                 **pb("from-active", 'stage_changed = "dormant"\nfrom = "active"')})
    first, second = h.kf_customer("王女士", write=None), h.kf_customer("李女士", write=None)
    h.record_event(first, "stage_changed", {"from": "new", "to": "dormant"})
    h.record_event(second, "stage_changed", {"from": "active", "to": "dormant"})
    assert entered(h, first) == ["any"]
    assert entered(h, second) == ["any", "from-active"]


def test_contact_added_with_a_state_filter_and_subscribed(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({**pb("store", 'contact_added = true\nstate = "store_sh"'), **pb("all", "contact_added = true"),
                 **pb("follow", "subscribed = true")})
    h.sim.add_customer("门店客户", userid="guide_li", state="store_sh")
    h.sim.add_customer("线上客户", userid="guide_li", state="ads")
    h.sim.mp_subscribe("o_fan", scene="poster")
    h.settle()
    by_name = {}
    for enrolment in h.enrolments():
        by_name.setdefault(enrolment.customer_id, []).append(enrolment.playbook_id)
    assert sorted(sorted(v) for v in by_name.values()) == [["all"], ["all", "store"], ["follow"]]


def test_inactive_days_scanner_enters_once_per_quiet_stretch(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("re-engagement",))
    customer = h.kf_customer("王女士")
    h.advance(days=13)
    h.scanners.run()
    assert entered(h, customer) == []
    h.advance(days=1, hours=1)
    assert h.scanners.run()["inactive"] == 1
    assert h.scanners.run()["inactive"] == 0                           # this hour's fire is taken
    h.advance(hours=1)
    assert h.scanners.run()["inactive"] == 0                           # already entered for this quiet stretch
    [enrolment] = h.enrolments(customer)
    hello = h.delivery(customer, "day14-hello")
    assert hello.due_at.astimezone(SH) == datetime(2026, 11, 17, 10, 0, tzinfo=SH)
    h.at(datetime(2026, 11, 17, 10, 0, tzinfo=SH))
    h.sim.kf_message(h.external_userid(customer), "在的")              # keep the kf window open
    h.settle()
    # Writing back is the goal: the enrolment converts and the later steps are cancelled.
    assert h.enrolments(customer)[0].status == "converted"
    assert h.dispatch().sent == 0
    # Quiet again for 14 days: a new stretch, a new enrolment.
    h.advance(days=14, hours=1)
    h.scanners.run()
    assert [e.status for e in h.enrolments(customer)] == ["converted", "active"]


def test_schedule_trigger_runs_once_per_fire_across_workers(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("birthday",))
    today = START.date()
    born_today = h.kf_customer("寿星")
    h.update_customer(born_today, birthday=date(1990, today.month, today.day))
    other = h.kf_customer("路人")
    h.update_customer(other, birthday=date(1990, 1, 1))
    h.at(datetime(2026, 11, 2, 9, 0, 30, tzinfo=SH))                   # just after the 09:00 fire
    second_worker = Scanners(h.db, h.config, h.clock, h.runtime.features["playbooks"].engine, worker_id="w2")
    assert h.scanners.run_schedules() == 1
    assert second_worker.run_schedules() == 0
    assert entered(h, born_today) == ["birthday"] and entered(h, other) == []
    h.at(datetime(2026, 11, 2, 10, 0, tzinfo=SH))
    assert h.dispatch().sent == 1
    [text] = [t for t in h.delivered(born_today) if "生日快乐" in t]
    assert text.startswith("寿星，生日快乐！") and "http://links.test/r/" in text
    # The next year the same customer enters again (reentry = "always").
    h.at(datetime(2027, 11, 2, 9, 0, 30, tzinfo=SH))
    h.scanners.run_schedules()
    assert len(h.enrolments(born_today)) == 2


def test_a_scan_cut_short_by_a_dead_worker_is_finished_by_another_once(journey, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("birthday",))
    today = START.date()
    birthdays = [h.kf_customer(f"寿星{i}") for i in range(5)]
    for customer in birthdays:
        h.update_customer(customer, birthday=date(1990, today.month, today.day))
    monkeypatch.setattr(scanners, "CHUNK", 2)                           # three chunks: 2, 2 and 1
    engine = h.runtime.features["playbooks"].engine
    dying, rescuer = (Scanners(h.db, h.config, h.clock, engine, worker_id=w) for w in ("dying", "rescuer"))
    chunks = 0
    enrol_audience = dying._enrol_audience

    def die_in_the_second_chunk(*args):  # type: ignore[no-untyped-def]
        nonlocal chunks
        chunks += 1
        if chunks == 2:
            raise KeyboardInterrupt("killed")
        return enrol_audience(*args)

    monkeypatch.setattr(dying, "_enrol_audience", die_in_the_second_chunk)
    h.at(datetime(2026, 11, 2, 9, 0, 30, tzinfo=SH))
    with pytest.raises(KeyboardInterrupt):
        dying.run_schedules()
    assert [len(h.enrolments(c)) for c in birthdays] == [1, 1, 0, 0, 0]   # the first chunk was committed
    assert rescuer.run_schedules() == 0                                   # the dead worker's lease holds
    h.advance(minutes=6)
    assert rescuer.run_schedules() == 3                                   # resumed after the first chunk
    assert [len(h.enrolments(c)) for c in birthdays] == [1, 1, 1, 1, 1]
    assert rescuer.run_schedules() == 0 and h.scanners.run_schedules() == 0   # the fire is finished


def test_post_treatment_followup_end_to_end(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("post-treatment-followup",))
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed", {"item": "光子嫩肤", "doctor": "李医生"})
    sent = []
    for day in (1, 3, 7, 30):
        h.at(datetime(2026, 11, 2, 10, 0, tzinfo=SH) + timedelta(days=day))
        h.sim.kf_message(h.external_userid(customer), "好的")          # she keeps chatting: window open
        h.settle()
        h.dispatch()
        sent = [t for t in h.delivered(customer)]
    assert len(sent) == 4
    assert "光子嫩肤的第一天" in sent[0] and "李医生" in sent[1] and "照片" in sent[2] and "/r/" in sent[3]
    h.advance(days=6)
    assert h.scanners.finish_enrolments() == 1
    assert h.enrolments(customer)[0].status == "completed"


def test_class_reminders_end_to_end(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("class-reminders",))
    customer = h.kf_customer("王女士")
    h.update_customer(customer, openid="o_wang")
    h.sim.mp_subscribe("o_wang")
    h.settle()
    data = {"class_name": "产后瑜伽", "class_start": "2026-11-04T19:00:00+08:00",
            "class_end": "2026-11-04T20:30:00+08:00"}
    h.event(customer, "class_scheduled", data)
    h.event(customer, "class_scheduled", {**data, "class_start": "2026-11-06T19:00:00+08:00",
                                          "class_end": "2026-11-06T20:30:00+08:00"})
    assert len(h.enrolments(customer)) == 2                            # one journey per class
    h.at(datetime(2026, 11, 3, 19, 0, tzinfo=SH))
    assert h.dispatch().by_channel == {"mp_template": 1}
    [template] = h.sim.sent(api="mp/message/template/send")
    assert template["payload"]["data"]["keyword2"]["value"] == "11月4日 19:00"
    h.at(datetime(2026, 11, 4, 18, 0, tzinfo=SH))
    assert h.dispatch().sent == 1
    h.at(datetime(2026, 11, 4, 22, 30, tzinfo=SH))                     # feedback falls in quiet hours
    assert h.dispatch().sent == 0
    h.at(datetime(2026, 11, 5, 8, 30, tzinfo=SH))
    assert h.dispatch().sent == 1
    texts = h.delivered(customer)
    assert "还有 1 小时开始" in texts[0] and "感觉怎么样" in texts[1]


def test_welcome_series_end_to_end_until_the_first_order(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey(shipped=("welcome-series",))
    customer = h.kf_customer("王女士")
    h.advance(minutes=5)
    assert h.dispatch().sent == 1
    assert "欢迎添加" in h.delivered(customer)[0]
    h.at(datetime(2026, 11, 5, 19, 30, tzinfo=SH))
    h.dispatch()
    h.event(customer, "order_paid", {"amount": 399})
    assert h.enrolments(customer)[0].status == "converted"
    assert h.delivery(customer, "day7-first-order").status == "cancelled"
    # reentry = "never": adding the guide again does not restart the series
    h.sim.add_customer("王女士", userid="guide_wang", external_userid=h.external_userid(customer))
    h.settle()
    assert len(h.enrolments(customer)) == 1
