"""Follow-up tasks (跟进任务) for guides: reach out to a customer by hand, then mark it done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base

TASK_STATUSES = ("open", "done", "dismissed")


class GuideTask(Base):
    """One customer a guide should contact, with the suggested text, due at `due_at`.

    `delivery_id` is unique: a playbook delivery sent again (a retry, a lost lease) finds its task
    instead of creating a second one.
    """

    __tablename__ = "guide_tasks"
    __table_args__ = (
        Index("ix_guide_tasks_staff_status", "staff_id", "status"),
        Index("ix_guide_tasks_status_due", "status", "due_at"),  # the overdue reminder's scan
        Index("ix_guide_tasks_created_at", "created_at"),  # the dashboard's tasks of a period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="SET NULL"), unique=True)
    source: Mapped[str] = mapped_column(String(128), default="")  # what asked for it: the playbook's name
    text: Mapped[str] = mapped_column(Text)
    # open | done (the guide followed up) | dismissed (no longer needed)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    # When the guide should have followed up (from the step's time; 稍后 moves it); an open task
    # past it is reminded once (`reminded_at`), not every morning forever.
    due_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
