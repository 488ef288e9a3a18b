"""Everything one Siyu process needs, built from the config: no module-level engines or clients."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import Clock, TravelClock
from bot.config import Config
from bot.db import Database
from bot.hooks import Hooks
from bot.inbound.inbox import Inbox
from bot.inbound.processor import Processor, send_reply
from bot.inbound.routing import Dispatcher, Router, Update
from bot.inbound.spool import Spool, spool_path_for
from bot.jobs.tasks import TaskQueue, TaskRunner
from bot.models import Callback
from bot.services.customers import CustomerService
from bot.startup import check_ready_to_serve
from bot.guides.tasks import GuideTaskService
from bot.wechat.clients import MpClient, WeComClient
from bot.wechat.outbound import Outbound
from bot.wechat.tokens import SharedTokenStorage

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
    jobs: list[Any] = field(default_factory=list)  # extra JobSpecs from features (see bot.jobs.scheduler)
    features: dict[str, Any] = field(default_factory=dict)  # installed features by name (see bot.features)

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
        if self.inbox.spool is not None:
            self.inbox.spool.close()
        self.db.dispose()


def inbox_spool(db: Database) -> Spool | None:
    """On SQLite with a database file, the webhook's own spool file beside it (bot.inbound.spool)."""
    if not db.is_sqlite or not db.url.database or db.url.database == ":memory:" or db.url.database.startswith("file:"):
        return None

    def highest_callback_id() -> int:
        with db.read_session() as session:
            return int(session.scalar(select(func.max(Callback.id))) or 0)

    return Spool(spool_path_for(db.url.database), db.clock, first_id=highest_callback_id)


def build_runtime(config: Config, routers: Iterable[Router], clock: Clock | None = None) -> Runtime:
    """Everything the bot runs on; refuses (ConfigError) a config it must not start with."""
    check_ready_to_serve(config)
    clock = clock or Clock()
    db = Database(config.database.url, clock, echo=config.database.echo)
    # The demo's shared clock is its wall clock: tokens age with 快进 as the simulator's do.
    tokens = SharedTokenStorage(db, clock if isinstance(clock, TravelClock) else None)
    wecom = mp = None
    if config.wecom.corp_id and config.wecom.secret.get_secret_value():
        wecom = WeComClient(config.wecom.corp_id, config.wecom.secret.get_secret_value(),
                            config.wecom.api_base_url, session=tokens, timeout=config.wecom.timeout_seconds)
    if config.mp.app_id and config.mp.secret.get_secret_value():
        mp = MpClient(config.mp.app_id, config.mp.secret.get_secret_value(), config.mp.api_base_url, session=tokens,
                      timeout=config.mp.timeout_seconds)
    outbound = Outbound(db, wecom, mp, agent_id=config.wecom.agent_id)
    dispatcher = Dispatcher(routers)
    dispatcher.check_parameters(HANDLER_PARAMETERS, PASSIVE_PARAMETERS)
    runtime = Runtime(config, clock, db, outbound, dispatcher, inbox=None, tasks=None,  # type: ignore[arg-type]
                      processor=None)  # type: ignore[arg-type]
    runtime.inbox = Inbox(db, clock, dispatcher, runtime.handler_context, config.inbound, runtime.prepare_batch,
                          spool=inbox_spool(db))
    runtime.processor = Processor(runtime.inbox, db, clock, config.inbound)
    task_context = {"db": db, "clock": clock, "config": config, "outbound": outbound, "inbox": runtime.inbox,
                    "wecom": wecom, "mp": mp, "runtime": runtime}
    runtime.tasks = TaskRunner(db, clock, {**dispatcher.task_functions(), "send_reply": send_reply}, task_context)
    runtime.processor.wake_tasks = runtime.tasks.kick
    from bot.features import installers

    for install in installers():
        install(runtime)
    return runtime
