"""剧本效果 from seeded enrolments and deliveries: funnel counts, arms with Wilson intervals, lift over holdout."""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import Delivery, Enrolment, LinkClick, PlaybookVersion, TrackedLink
from tests.console.conftest import Console


def wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def seed(console: Console, groups: dict[str, tuple[int, int]]) -> None:
    """`groups`: variant of step day1-intro -> (enrolments, converted); "holdout" marks every step held out."""
    now = console.clock.now()
    customers = iter([console.customer(f"c{n}") for n in range(sum(total for total, _ in groups.values()))])
    with console.runtime.db.session() as session:
        version = session.scalar(select(PlaybookVersion.id).where(PlaybookVersion.playbook_id == "welcome-series"))
        for variant, (total, converted) in groups.items():
            for i in range(total):
                customer = next(customers)
                enrolment = Enrolment(customer_id=customer, playbook_id="welcome-series", version_id=version,
                                      trigger_type="contact_added", trigger_at=now, enrolled_at=now, settle_after=now,
                                      status="converted" if i < converted else "completed")
                session.add(enrolment)
                session.flush()
                held = variant == "holdout"
                for step, step_variant in (("welcome", None), ("day1-intro", variant)):
                    failed = not held and step == "welcome" and i == 0
                    delivery = Delivery(
                        enrolment_id=enrolment.id, customer_id=customer, playbook_id="welcome-series", step_id=step,
                        idempotency_key=f"{enrolment.id}:{step}", due_at=now,
                        status="skipped" if held else "failed" if failed else "sent",
                        errcode=45015 if failed else None, channel="kf", sent_at=None if held or failed else now,
                        variant="holdout" if held else step_variant,
                        replied_at=now + timedelta(hours=1) if not held and step == "welcome" and i % 2 else None)
                    session.add(delivery)
                    session.flush()
                    if step == "day1-intro" and not held and i < 3:
                        link = TrackedLink(token=f"t{delivery.id}", delivery_id=delivery.id, url="https://x")
                        session.add(link)
                        session.flush()
                        session.add(LinkClick(link_id=link.id))


def _data(html: str) -> dict:
    return json.loads(re.search(r'id="report-data">(.*?)</script>', html, re.S).group(1))


def test_funnel_arms_and_lift_from_seeded_data(console: Console) -> None:
    console.add_user("op", "operator")
    seed(console, {"story": (40, 12), "benefit": (40, 20), "holdout": (40, 6)})
    html = console.login("op").get("/console/playbooks/welcome-series/report").get_data(as_text=True)
    data = _data(html)
    assert data["entered"] == 120 and data["statuses"] == {"converted": 38, "completed": 82}
    welcome, intro = data["steps"]
    assert (welcome["step"], welcome["sent"], welcome["failed"], welcome["skipped"]) == ("welcome", 78, 2, 40)
    assert welcome["errcodes"] == {"45015": 2} and welcome["replied"] == 40
    assert (intro["sent"], intro["clicked"]) == (80, 6)
    arms = {a["variant"]: a for a in data["arms"]}
    assert set(arms) == {"story", "benefit"}
    assert arms["benefit"]["rate"] == pytest.approx(0.5)
    assert arms["benefit"]["interval"] == pytest.approx(wilson(20, 40))
    lift = data["lift"]
    assert (lift["treated"]["total"], lift["treated"]["successes"], lift["holdout"]["total"]) == (80, 32, 40)
    p1, p0 = 32 / 80, 6 / 40
    se = math.sqrt(p1 * (1 - p1) / 80 + p0 * (1 - p0) / 40)
    assert lift["difference"] == pytest.approx(p1 - p0)
    assert lift["interval"] == pytest.approx((p1 - p0 - 1.959964 * se, p1 - p0 + 1.959964 * se), abs=1e-5)
    assert "显著有效" in html and "个百分点" in html


def test_small_groups_say_not_enough_data(console: Console) -> None:
    console.add_user("op", "operator")
    seed(console, {"story": (5, 2), "holdout": (3, 0)})
    html = console.login("op").get("/console/playbooks/welcome-series/report").get_data(as_text=True)
    assert "数据还不够" in html and "剧本组 5 人，对照组 3 人" in html
