"""Build a Runtime from the config: the clients, the inbox and processor, the task runner,
and every feature's `install(runtime)` (its hooks, jobs and tasks). The only module that knows
all the features; bot.runtime knows none of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import func, select

from bot.clock import Clock, TravelClock
from bot.config import Config
from bot.db import Database
from bot.inbound.inbox import Inbox
from bot.inbound.processor import Processor, send_reply
from bot.inbound.routing import Dispatcher, Router
from bot.inbound.spool import Spool, spool_path_for
from bot.jobs.tasks import TaskRunner
from bot.models import Callback
from bot.runtime import HANDLER_PARAMETERS, PASSIVE_PARAMETERS, Runtime
from bot.startup import check_ready_to_serve
from bot.wechat.clients import MpClient, WeComClient
from bot.wechat.outbound import Outbound
from bot.wechat.tokens import SharedTokenStorage


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
    if config.inbound.processing != "worker":  # `siyu serve` hands "child" to its child (bot.cli.child)
        runtime.processor_waker = runtime.processor.kick
    task_context = {"db": db, "clock": clock, "config": config, "outbound": outbound, "inbox": runtime.inbox,
                    "wecom": wecom, "mp": mp, "runtime": runtime}
    runtime.tasks = TaskRunner(db, clock, {**dispatcher.task_functions(), "send_reply": send_reply}, task_context)
    runtime.processor.wake_tasks = runtime.tasks.kick
    for install in installers():
        install(runtime)
    return runtime


def installers() -> list[Callable[[Runtime], None]]:
    from bot.analytics.feature import install as install_rollups
    from bot.channels.feature import install as install_channels
    from bot.feedback.feature import install as install_feedback
    from bot.guides.feature import install as install_guides
    from bot.ops.heartbeat import install as install_heartbeat
    from bot.playbooks.feature import install as install_playbooks
    from bot.playbooks.mass import install as install_mass_results
    from bot.retention.feature import install as install_retention
    from bot.tagging.feature import install as install_tagging
    from bot.wechat.app_messages import install as install_app_messages

    # Tagging first: playbooks trigger on the tags and stages it records.
    installs: list[Callable[[Runtime], None]] = [install_tagging]
    installs.append(install_playbooks)
    installs.append(install_feedback)
    installs.append(install_guides)
    installs.append(install_channels)
    installs.append(install_heartbeat)
    installs.append(install_app_messages)
    installs.append(install_rollups)  # before retention, which rolls days up before deleting them
    installs.append(install_retention)
    installs.append(install_mass_results)
    return installs
