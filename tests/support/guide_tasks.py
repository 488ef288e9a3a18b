"""Small factories and readers for follow-up tasks (跟进任务), for tests on a Harness."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import GuideTask
from tests.support.harness import Harness


def wecom_customer(h: Harness, name: str, guide: str = "guide_li") -> int:
    """A customer who added `guide` in WeCom (through the simulator); returns the customer id."""
    external_userid = h.sim.add_customer(name, userid=guide)["external_userid"]
    h.settle()
    return h.customer_id(external_userid=external_userid)


def open_task(h: Harness, customer_id: int, guide: str = "guide_li", text: str = "您好，最近恢复得怎么样？",
              source: str = "术后回访") -> int:
    """An open task for `guide`, as the guide_task channel records one; returns its id."""
    with h.db.session() as session:
        staff = h.runtime.customers(session).staff(guide)
        task, created = h.runtime.guide_tasks(session).record(staff=staff, customer_id=customer_id, text=text,
                                                              source=source)
        session.flush()
        assert created
        return task.id


def stored_tasks(h: Harness) -> list[GuideTask]:
    """Every task in the database, by id."""
    with h.db.session() as session:
        return list(session.scalars(select(GuideTask).order_by(GuideTask.id)))
