"""设置与健康: the rules in force, outbox depth and lateness, recent errcodes; admins only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Delivery, Enrolment, Message, PlaybookVersion
from tests.console.conftest import Console


def test_outbox_depth_lateness_and_errcodes(console: Console) -> None:
    console.add_user("root", "admin")
    console.add_user("op", "operator")
    customer = console.customer("小美")
    now = console.clock.now()
    with console.runtime.db.session() as s:
        version = s.scalar(select(PlaybookVersion.id).where(PlaybookVersion.playbook_id == "welcome-series"))
        enrolment = Enrolment(customer_id=customer, playbook_id="welcome-series", version_id=version,
                              trigger_type="contact_added", trigger_at=now, enrolled_at=now, settle_after=now)
        s.add(enrolment)
        s.flush()
        for key, due in (("late", now - timedelta(minutes=10)), ("soon", now + timedelta(hours=1))):
            s.add(Delivery(enrolment_id=enrolment.id, customer_id=customer, playbook_id="welcome-series",
                           step_id=key, idempotency_key=key, due_at=due))
        s.add(Message(customer_id=customer, direction="out", channel="kf", status="failed", errcode=95001,
                      created_at=now - timedelta(hours=1)))
    assert console.login("op").get("/console/settings").status_code == 403
    html = console.login("root").get("/console/settings").get_data(as_text=True)
    assert "21:30 – 08:30" in html and "3 条" in html
    assert '<div class="value">1</div>' in html and "队列中共 2 条" in html
    assert "10 分钟" in html and "95001" in html
