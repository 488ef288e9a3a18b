"""Follow-up tasks (跟进任务): recorded when a playbook hands a customer to a guide, listed and
closed by the guide from the WeCom app, and summed up in the morning digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.models import Customer, Delivery, GuideTask, Staff

logger = logging.getLogger(__name__)

LIST_LIMIT = 10  # tasks shown in one chat message; the rest are counted
SNIPPET_CHARS = 30
# Task ids are database integers; longer "numbers" are typing mistakes, not tasks.
MAX_ID_DIGITS = 9


class GuideTaskError(Exception):
    """A guide's command on a task that cannot be carried out; the message is the reply."""


class TaskNotFound(GuideTaskError):
    def __init__(self, task_id: int | str) -> None:
        super().__init__(f"没有编号为 {task_id} 的任务。发送「任务」查看您的待跟进任务。")


class NotYourTask(GuideTaskError):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"任务 {task_id} 不是您的任务，无法标记。发送「任务」查看您的待跟进任务。")


class TaskClosed(GuideTaskError):
    def __init__(self, task: GuideTask) -> None:
        state = "已标记完成" if task.status == "done" else "已取消"
        super().__init__(f"任务 {task.id} {state}，无需再标记。")


class TaskRow(NamedTuple):
    task: GuideTask
    staff_userid: str
    customer_name: str


@dataclass(frozen=True)
class OpenTasks:
    """A guide's oldest open tasks (at most `LIST_LIMIT`) and how many are open in all."""

    items: list[tuple[GuideTask, str]]  # (task, customer display name)
    total: int

    def text(self, heading: str) -> str:
        """The chat message listing them: one line per task, numbered by task id."""
        if not self.items:
            return "您目前没有待跟进的任务。"
        lines = [f"{heading}（共 {self.total} 条）："]
        lines += [f"{task.id}. {name}：{snippet(task.text)}" for task, name in self.items]
        if self.total > len(self.items):
            lines.append(f"……还有{self.total - len(self.items)}条")
        lines.append(f"跟进后回复「完成 编号」标记，例如「完成 {self.items[0][0].id}」。")
        return "\n".join(lines)


class GuideTaskService:
    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def record(self, *, staff: Staff, customer_id: int, text: str, source: str = "",
               delivery_id: int | None = None, due_at: datetime | None = None) -> tuple[GuideTask, bool]:
        """A new open task, and True; for a delivery that already has one, that task (whatever its
        status) and False. Due when its step was due (or now)."""
        if delivery_id is not None:
            existing = self.for_delivery(delivery_id)
            if existing is not None:
                return existing, False
        due_at = due_at or self._step_time(delivery_id) or self.clock.now()
        task = GuideTask(staff_id=staff.id, customer_id=customer_id, delivery_id=delivery_id, source=source,
                         text=text, status="open", due_at=due_at)
        try:
            with self.session.begin_nested():
                self.session.add(task)
        except IntegrityError:  # another worker recorded this delivery's task a moment ago
            found = self.for_delivery(delivery_id) if delivery_id is not None else None
            if found is None:
                raise
            return found, False
        return task, True

    def _step_time(self, delivery_id: int | None) -> datetime | None:
        if delivery_id is None:
            return None
        return self.session.scalar(select(Delivery.due_at).where(Delivery.id == delivery_id))

    def for_delivery(self, delivery_id: int) -> GuideTask | None:
        return self.session.scalar(select(GuideTask).where(GuideTask.delivery_id == delivery_id))

    def withdraw(self, task_id: int) -> bool:
        """Delete a task its guide was never told about; one the guide already closed stays."""
        task = self.session.get(GuideTask, task_id)
        if task is None or task.status != "open":
            return False
        self.session.delete(task)
        return True

    def complete(self, staff: Staff, raw_id: str) -> GuideTask:
        """Mark the guide's own open task done; `raw_id` is what the guide typed."""
        task = self.own_open(staff, raw_id)
        task.status, task.done_at = "done", self.clock.now()
        return task

    def own_open(self, staff: Staff, raw_id: str) -> GuideTask:
        """The guide's own open task numbered `raw_id` (locked), or the error saying why not."""
        if not raw_id.isdecimal() or len(raw_id) > MAX_ID_DIGITS:
            raise TaskNotFound(raw_id)
        task = self.session.get(GuideTask, int(raw_id), with_for_update=True)
        if task is None:
            raise TaskNotFound(raw_id)
        if task.staff_id != staff.id:
            raise NotYourTask(task.id)
        if task.status != "open":
            raise TaskClosed(task)
        return task

    def snooze(self, staff: Staff, raw_id: str, until: datetime) -> GuideTask:
        """「稍后」: the task is due again at `until`, and will be reminded once more if it passes."""
        task = self.own_open(staff, raw_id)
        task.due_at, task.reminded_at = until, None
        return task

    def claim_overdue(self, now: datetime, grace: timedelta, limit: int = 500) -> list[GuideTask]:
        """Open tasks past due by `grace` and never reminded; each is marked reminded (once)."""
        tasks = list(self.session.scalars(
            select(GuideTask).where(GuideTask.status == "open", GuideTask.reminded_at.is_(None),
                                    GuideTask.due_at <= now - grace)
            .order_by(GuideTask.staff_id, GuideTask.due_at, GuideTask.id).limit(limit)
            .with_for_update(skip_locked=True)))
        for task in tasks:
            task.reminded_at = now
        return tasks

    def open_tasks(self, staff: Staff, limit: int = LIST_LIMIT, due_by: datetime | None = None) -> OpenTasks:
        """The guide's open tasks, oldest first; with `due_by`, only those due by then (a task
        snoozed with 「稍后」 to a later time waits until then)."""
        which = [GuideTask.staff_id == staff.id, GuideTask.status == "open"]
        if due_by is not None:
            which.append(or_(GuideTask.due_at.is_(None), GuideTask.due_at <= due_by))
        total = self.session.scalar(select(func.count()).select_from(GuideTask).where(*which)) or 0
        rows = self.session.execute(
            select(GuideTask, Customer.name, Customer.external_userid)
            .join(Customer, Customer.id == GuideTask.customer_id)
            .where(*which)
            .order_by(GuideTask.created_at, GuideTask.id).limit(limit))
        items = [(task, name or external_userid or f"客户#{task.customer_id}")
                 for task, name, external_userid in rows]
        return OpenTasks(items, total)

    def count_open(self, staff: Staff) -> int:
        return self.session.scalar(select(func.count()).select_from(GuideTask).where(
            GuideTask.staff_id == staff.id, GuideTask.status == "open")) or 0

    def listing(self, *, staff_userid: str | None = None, status: str | None = "open", limit: int = 50,
                offset: int = 0) -> list[TaskRow]:
        """Tasks oldest first, optionally of one guide and in one status, with who they concern."""
        query = (select(GuideTask, Staff.userid, Customer.name)
                 .join(Staff, Staff.id == GuideTask.staff_id).join(Customer, Customer.id == GuideTask.customer_id))
        if staff_userid is not None:
            query = query.where(Staff.userid == staff_userid)
        if status is not None:
            query = query.where(GuideTask.status == status)
        rows = self.session.execute(query.order_by(GuideTask.created_at, GuideTask.id).limit(limit).offset(offset))
        return [TaskRow(task, userid, name) for task, userid, name in rows]

    def guides_with_open_tasks(self) -> list[Staff]:
        has_open = select(GuideTask.staff_id).where(GuideTask.status == "open")
        return list(self.session.scalars(select(Staff).where(Staff.id.in_(has_open)).order_by(Staff.id)))


def completion_rates(session: Session, since: datetime, staff_userid: str | None = None) -> list[dict[str, object]]:
    """Per guide, of the tasks created since `since` (dismissed ones aside): done, open, rate."""
    query = (select(Staff.userid, Staff.name, GuideTask.status, func.count())
             .join(Staff, Staff.id == GuideTask.staff_id)
             .where(GuideTask.created_at >= since, GuideTask.status != "dismissed")
             .group_by(Staff.userid, Staff.name, GuideTask.status))
    if staff_userid is not None:
        query = query.where(Staff.userid == staff_userid)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for userid, name, status, count in session.execute(query):
        counts.setdefault((userid, name), {})[status] = count
    rows = []
    for (userid, name), by_status in sorted(counts.items()):
        done, still_open = by_status.get("done", 0), by_status.get("open", 0)
        total = done + still_open
        rows.append({"staff": userid, "name": name, "done": done, "open": still_open,
                     "completion_rate": round(done / total, 3) if total else None})
    return rows


def dismiss_for_enrolment(session: Session, enrolment_id: int, now: datetime) -> int:
    """Dismiss the open tasks a journey gave guides (it reached its goal, or the customer left it)."""
    journey_deliveries = select(Delivery.id).where(Delivery.enrolment_id == enrolment_id)
    return _dismiss(session, GuideTask.delivery_id.in_(journey_deliveries), now)


def dismiss_for_customer(session: Session, customer_id: int, now: datetime) -> int:
    """Dismiss every open task about a customer (who asked to hear nothing more: 退订)."""
    return _dismiss(session, GuideTask.customer_id == customer_id, now)


def _dismiss(session: Session, which: ColumnElement[bool], now: datetime) -> int:
    result = session.execute(update(GuideTask).where(GuideTask.status == "open", which)
                             .values(status="dismissed", done_at=now).execution_options(synchronize_session=False))
    return result.rowcount or 0


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The first words of a suggested message, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
