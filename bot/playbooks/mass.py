"""Enterprise mass messages (群发) follow their real outcome, which WeChat only tells when asked.

`add_msg_template` creates a task the guide must confirm in WeCom; the customer's quota is checked
only when the guide sends it. So a delivery through `wecom_mass` waits as `awaiting`, and this job
polls `get_groupmsg_send_result`: status 1 makes it `sent`; 2 (no longer a contact) and 3 (over the
customer's mass-message quota) make it fall back to the step's next channel; a task not confirmed
within `[channels] mass_confirm_hours` is cancelled (so a late confirmation sends nothing) and falls
back too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.models import Customer, Delivery, Message
from bot.wechat.outbound import Outbound

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

CHANNEL = "wecom_mass"
POLL_SECONDS = 300
SENT, NOT_A_CONTACT, OVER_QUOTA = 1, 2, 3
FAILURES = {NOT_A_CONTACT: "客户已不是该导购的好友 (send-result status 2)",
            OVER_QUOTA: "客户本月群发接收次数已用完 (send-result status 3)"}


class MassResults:
    def __init__(self, db: Database, outbound: Outbound, config: Config, clock: Clock) -> None:
        self.db = db
        self.outbound = outbound
        self.config = config
        self.clock = clock

    def poll(self) -> int:
        """Settle the awaiting mass deliveries WeChat has an outcome for; returns how many."""
        wecom = self.outbound.wecom
        if wecom is None:
            return 0
        with self.db.session() as session:
            rows = session.execute(
                select(Delivery.id, Delivery.sent_at, Message.id.label("message_id"), Message.wechat_msgid,
                       Message.payload, Customer.external_userid)
                .join(Message, Message.id == Delivery.message_id)
                .join(Customer, Customer.id == Delivery.customer_id)
                .where(Delivery.status == "awaiting")).all()
        tasks: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            if row.wechat_msgid:
                tasks[row.wechat_msgid].append(row)
        settled = 0
        deadline = self.clock.now() - timedelta(hours=self.config.channels.mass_confirm_hours)
        for msgid, waiting in tasks.items():
            sender = str((waiting[0].payload or {}).get("sender") or "")
            data = {"msgid": msgid, "userid": sender}
            result = self.outbound.call(lambda data=data: wecom.post("externalcontact/get_groupmsg_send_result",
                                                                     data=data))
            if not result.ok:
                logger.warning("mass task %s: send result unavailable (errcode %s)", msgid, result.errcode)
                continue
            statuses = {str(item.get("external_userid")): item for item in result.response.get("send_list", [])}
            expired = all(row.sent_at is not None and row.sent_at < deadline for row in waiting)
            if expired and all(int(statuses.get(r.external_userid, {}).get("status", 0)) == 0 for r in waiting):
                self._cancel(msgid)
            for row in waiting:
                item = statuses.get(row.external_userid, {})
                settled += self._settle(row, int(item.get("status", 0)), item.get("send_time"), expired)
        return settled

    def _cancel(self, msgid: str) -> None:
        wecom = self.outbound.wecom
        assert wecom is not None
        result = self.outbound.call(lambda: wecom.post("externalcontact/cancel_groupmsg_send", data={"msgid": msgid}))
        if not result.ok:
            logger.warning("mass task %s could not be cancelled (errcode %s)", msgid, result.errcode)

    def _settle(self, row: Any, status: int, send_time: Any, expired: bool) -> int:
        now = self.clock.now()
        if status == SENT:
            sent_at = datetime.fromtimestamp(int(send_time), tz=now.tzinfo) if send_time else now
            values: dict[str, Any] = {"status": "sent", "sent_at": sent_at, "last_error": ""}
            message_status, error = "sent", ""
        elif status in FAILURES or expired:
            error = FAILURES.get(status) or (f"导购 {self.config.channels.mass_confirm_hours} 小时内未确认发送，"
                                             f"群发任务已取消")
            values = {"status": "scheduled", "due_at": now, "sent_at": None, "fallback_from": CHANNEL,
                      "last_error": f"{CHANNEL}: {error} (trying the next channel)"}
            message_status = "failed"
        else:
            return 0
        with self.db.session() as session:
            changed = session.execute(update(Delivery).where(Delivery.id == row.id, Delivery.status == "awaiting")
                                      .values(updated_at=now, **values)).rowcount
            session.execute(update(Message).where(Message.id == row.message_id)
                            .values(status=message_status, errmsg=error))
        logger.info("mass delivery %s: %s", row.id, values["status"] if status == SENT else error)
        return changed


def install(runtime: Runtime) -> None:
    from bot.jobs.spec import JobSpec

    results = MassResults(runtime.db, runtime.outbound, runtime.config, runtime.clock)
    runtime.features["mass_results"] = results
    runtime.jobs.append(JobSpec("mass_results", results.poll, "interval", {"seconds": POLL_SECONDS}))
