"""Raw keyword triggers read messages as the tagger does (issue 11): words, negation, mood."""

from __future__ import annotations

from pathlib import Path

from bot.playbooks.feature import sync_playbooks
from tests.playbooks.support import simple_playbook


def test_keyword_trigger_words_are_read_like_the_tagger(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"booking.toml": simple_playbook("booking", 'keyword = ["预约", "约"]')})
    customer = h.kf_customer("王女士", write="暂时不需要预约，谢谢")      # negated: no booking
    h.sim.kf_message(h.external_userid(customer), "大约多少钱")          # 约 inside 大约
    h.sim.kf_message(h.external_userid(customer), "万一要预约，提前多久说")  # only supposing
    h.settle()
    assert h.enrolments(customer) == []
    h.sim.kf_message(h.external_userid(customer), "那帮我约周六下午吧")
    h.settle()
    [enrolment] = h.enrolments(customer)
    assert enrolment.trigger_type == "keyword" and enrolment.context["data"]["text"] == "那帮我约周六下午吧"


def test_the_next_message_uses_a_playbook_version_imported_meanwhile(journey) -> None:  # type: ignore[no-untyped-def]
    # Active playbooks are cached per process: an import must still reach the very next message.
    h = journey({"booking.toml": simple_playbook("booking", 'keyword = ["预约"]')})
    first = h.kf_customer("王女士", write="我想预约")
    edited = simple_playbook("booking", 'keyword = ["预约"]').replace("这是第一条关怀消息", "这是改版后的消息")
    (Path(h.config.bot.playbooks_dir) / "booking.toml").write_text(edited, encoding="utf-8")
    report = sync_playbooks(h.runtime)
    assert report is not None and len(report.updated) == 1
    second = h.kf_customer("李女士", write="我想预约")
    h.advance(hours=1)
    assert h.dispatch().sent == 2
    assert h.delivered(first) == ["王女士您好，这是第一条关怀消息"]
    assert h.delivered(second) == ["李女士您好，这是改版后的消息"]
    [old], [new] = h.enrolments(first), h.enrolments(second)
    assert new.version_id != old.version_id
