"""Raw keyword triggers read messages as the tagger does (issue 11): words, negation, mood."""

from __future__ import annotations

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
