"""Holdout is sticky per customer and playbook: held out once, held out of every step on every entry."""

from __future__ import annotations

from bot.playbooks.engine import HOLDOUT
from tests.playbooks.support import simple_playbook

STEPS = """
[[steps]]
id = "first"
after = "1h"
channels = ["kf"]
holdout = 50

[[steps.variants]]
weight = 50
text = "第一条"

[[steps]]
id = "second"
after = "2h"
channels = ["kf"]
text = "第二条"
"""


def test_a_held_out_customer_gets_none_of_the_playbook_on_every_reentry(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"care.toml": simple_playbook(steps=STEPS, extra='[audience]\nreentry = "always"\n')})
    customers = [h.kf_customer(f"客户{i}") for i in range(8)]
    for _ in range(3):
        for customer in customers:
            h.event(customer, "treatment_completed")
    held_out = 0
    for customer in customers:
        enrolments = h.enrolments(customer)
        assert len(enrolments) == 3
        draws = {tuple(sorted(e.variants.items())) for e in enrolments}
        assert len(draws) == 1, draws                                   # the same draw on every entry
        [variants] = draws
        if dict(variants)["first"] == HOLDOUT:
            held_out += 1
            assert dict(variants) == {"first": HOLDOUT, "second": HOLDOUT}   # the whole playbook, not one step
    assert 0 < held_out < len(customers)
    h.advance(hours=3)
    h.dispatch()
    for customer in customers:
        statuses = {(d.step_id, d.status) for d in h.deliveries(customer)}
        if all(d.variant == HOLDOUT for d in h.deliveries(customer)):
            assert statuses == {("first", "skipped"), ("second", "skipped")}
            assert not [text for text in h.delivered(customer) if "第" in text]
