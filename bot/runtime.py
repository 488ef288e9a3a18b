"""Everything one Siyu process needs, built from the config: no module-level engines or clients."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Config
from bot.db import Database
from bot.guides.tasks import GuideTaskService
from bot.hooks import Hooks
from bot.inbound.inbox import Inbox
from bot.inbound.processor import Processor
from bot.inbound.routing import Dispatcher, Update
from bot.jobs.spec import JobSpec
from bot.jobs.tasks import TaskQueue, TaskRunner
from bot.services.customers import CustomerService
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)

HANDLER_PARAMETERS = ("update", "session", "customers", "guide_tasks", "tasks", "clock", "config", "now", "guides",
                      "feedback", "tagging")
# What a passive responder may ask for: what the process holds in memory, never the database.
PASSIVE_PARAMETERS = ("update", "clock", "config", "now", "tagging")


@dataclass
class Runtime:
    config: Config
    clock: Clock
    db: Database
    outbound: Outbound
    dispatcher: Dispatcher
    inbox: Inbox
    tasks: TaskRunner
    processor: Processor
    hooks: Hooks = field(default_factory=Hooks)
    jobs: list[JobSpec] = field(default_factory=list)  # extra jobs from features (see bot.jobs.scheduler)
    features: dict[str, Any] = field(default_factory=dict)  # installed features by name (see bot.assembly)
    # Called when the webhook stored a new push: this process's processor thread by default, the
    # processing child under `siyu serve`, nothing when only `siyu worker` routes (see bot.assembly).
    processor_waker: Callable[[], None] = field(default=lambda: None)

    def customers(self, session: Session) -> CustomerService:
        return CustomerService(session, self.clock, self.hooks)

    def guide_tasks(self, session: Session) -> GuideTaskService:
        return GuideTaskService(session, self.clock)

    def handler_context(self, session: Session, update: Update) -> Mapping[str, Any]:
        return {
            "update": update,
            "session": session,
            "customers": self.customers(session),
            "guide_tasks": self.guide_tasks(session),
            "tasks": TaskQueue(session, self.clock),
            "clock": self.clock,
            "config": self.config,
            "now": self.clock.now(),
            "guides": self.features.get("guides"),  # bot.guides.feature.Guides
            "feedback": self.features.get("feedback"),  # bot.feedback.feature.Feedback
            "tagging": self.features.get("tagging"),  # bot.tagging.feature.Tagging
        }

    def passive_context(self, update: Update) -> Mapping[str, Any]:
        """What a passive responder gets at the webhook: nothing that reads the database."""
        return {"update": update, "clock": self.clock, "config": self.config, "now": self.clock.now(),
                "tagging": self.features.get("tagging")}

    def prepare_batch(self, session: Session, updates: Sequence[Update]) -> None:
        """One query for the customers a batch of pushes is from, then the features' own reads."""
        identities: dict[str, set[str]] = {"openid": set(), "external_userid": set()}
        for update in updates:
            if update.get("ExternalUserID"):
                identities["external_userid"].add(update.get("ExternalUserID"))
            elif update.channel == "mp" and update.sender:
                identities["openid"].add(update.sender)
            elif update.channel == "kf" and update.sender:
                identities["external_userid"].add(update.sender)
        customers = self.customers(session).prefetch(identities)
        self.hooks.batch_started(session, customers)

    def close(self) -> None:
        self.processor.stop()
        self.tasks.stop()
        self.inbox.close()
        self.db.dispose()
