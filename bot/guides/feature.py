"""Guides as a runtime feature: forwarding, commands, relays, referral codes, transfers, the
morning digest and overdue reminders. `runtime.features["guides"]` is what handlers call."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.guides import commands, digest, referral, relay, transfer
from bot.guides.scripts import ScriptShelf
from bot.guides.tasks import GuideTaskService, snippet
from bot.models import Customer, Message, Staff
from bot.services.customers import CustomerService
from bot.jobs.tasks import TaskQueue

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

NOTICE_TASK = "guide_notice"
OVERDUE_INTERVAL_SECONDS = 60
TRANSFER_POLL_SECONDS = 600


class Guides:
    """The guides feature, bound to a runtime; methods take the caller's session."""

    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.config = runtime.config
        self.clock = runtime.clock
        self.shelf = ScriptShelf(runtime.config.bot.scripts_path, runtime.config.bot.tag_rules_path)

    def _tagging(self, session: Session) -> Any:
        tagging = self.runtime.features.get("tagging")
        return tagging.service(session) if tagging is not None else None

    def context(self, session: Session, staff: Staff, key: str = "", via: str = "app") -> commands.Context:
        return commands.Context(session, self.clock, self.config, staff, self.runtime.customers(session),
                                GuideTaskService(session, self.clock), self.shelf, self._tagging(session), key, via)

    def command(self, session: Session, staff: Staff, text: str, key: str = "") -> str:
        """A guide's message to the app, answered."""
        return commands.handle(self.context(session, staff, key), text)

    def forward(self, session: Session, customer: Customer, message: Message, open_kfid: str = "") -> None:
        relay.forward(session, self.config, self.clock, self.shelf, customer, message, open_kfid)

    def contact_added(self, session: Session, customers: CustomerService, customer: Customer, state: str | None,
                      at: Any) -> None:
        referral.link_referral(session, customers, customer, state, at)

    def remind_overdue(self) -> int:
        """Job: each open task past due (by `[guides] overdue_after_hours`) is reminded once."""
        grace = timedelta(hours=self.config.guides.overdue_after_hours)
        with self.runtime.db.session() as session:
            overdue = GuideTaskService(session, self.clock).claim_overdue(self.clock.now(), grace)
            if not overdue:
                return 0
            by_guide: dict[int, list[str]] = defaultdict(list)
            names = dict(session.execute(select(Customer.id, Customer.name)
                                         .where(Customer.id.in_({t.customer_id for t in overdue}))).all())
            for task in overdue:
                name = names.get(task.customer_id) or "客户"
                by_guide[task.staff_id].append(f"{task.id}. {name}：{snippet(task.text)}")
            queue = TaskQueue(session, self.clock)
            now = self.clock.now().isoformat()
            for staff_id, lines in by_guide.items():
                userid = session.get_one(Staff, staff_id).userid
                text = "\n".join(["以下跟进任务已超时，请尽快跟进：", *lines,
                                  "跟进后回复「完成 编号」；晚些再跟进回复「稍后 编号 时间」，"
                                  "例如「稍后 12 明天10点」。"])
                queue.enqueue(NOTICE_TASK, f"{NOTICE_TASK}:overdue:{staff_id}:{now}", {"userid": userid, "text": text})
        return len(overdue)

    def poll_transfers(self) -> int:
        return transfer.poll_transfers(self.runtime.db, self.runtime.outbound)


def send_notice(payload: dict[str, Any], outbound: Any) -> None:
    outbound.send_app_text(payload["userid"], payload["text"], customer_id=payload.get("customer_id")).settled(
        "message/send")


def install(runtime: "Runtime") -> None:
    from bot.jobs.spec import JobSpec

    guides = Guides(runtime)
    runtime.features["guides"] = guides
    runtime.tasks.batch_functions[relay.FORWARD_TASK] = relay.send_forwards
    runtime.tasks.functions.update({
        relay.REPLY_TASK: relay.send_reply,
        relay.HANDOFF_TASK: relay.hand_off,
        referral.TASK: referral.create_code,
        transfer.TASK: transfer.start_transfer,
        NOTICE_TASK: send_notice,
    })
    runtime.jobs.extend([
        JobSpec("guide_overdue", guides.remind_overdue, "interval", {"seconds": OVERDUE_INTERVAL_SECONDS}),
        JobSpec("guide_transfers", guides.poll_transfers, "interval", {"seconds": TRANSFER_POLL_SECONDS}),
    ])
    digest.install(runtime)
