"""A chat-transcript style harness: a test acts as customers and guides through the simulator
and reads what the bot did from the simulator and the bot's database."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import create_app
from bot.clock import Clock
from bot.console.demo import DEMO_CONSOLE_CONFIG
from bot.demo import DEMO_API_TOKEN, config_for_simulator, shared_clock
from bot.inbound.routing import Router
from bot.inbound.processor import due_now
from bot.models import Callback, Task
from bot.runtime import Runtime
from bot.simulator import RunningServer, SimulatorClient, SimulatorConfig, create_simulator, serve_in_thread

API_TOKEN = DEMO_API_TOKEN
PLAYBOOKS_DIR = Path(__file__).resolve().parents[2] / "playbooks"
RULES_DIR = Path(__file__).resolve().parents[2] / "rules"  # the shipped tag rules and 话术 library
TAG_RULES, SCRIPTS = RULES_DIR / "tags.toml", RULES_DIR / "scripts.toml"


def shipped_tag_rules(folder: Path, extra: str = "") -> Path:
    """The shipped tag rules copied into `folder` with `extra` appended, beside the model their [model] names."""
    shutil.copy(RULES_DIR / "tags.model.json", folder / "tags.model.json")
    path = folder / "tags.toml"
    path.write_text(TAG_RULES.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


class SwappableApp:
    """Lets the bot's server take a port before the bot (which needs the simulator's URL) exists."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.app(environ, start_response)


class Harness:
    def __init__(self, database_url: str, routers: list[Router] | None = None, clock: Clock | None = None,
                 time_travel: bool = False, **config_sections: Mapping[str, Any]) -> None:
        """`time_travel`: the demo's stack, bot and simulator on one clock with the 快进 controls on."""
        from handlers import routers as default_routers

        self._bot_app = SwappableApp()
        self.bot_server: RunningServer = serve_in_thread(self._bot_app)
        self.sim_config = SimulatorConfig.for_bot(self.bot_server.url)
        sim_clock = None
        if time_travel:
            sim_clock, clock = shared_clock()
            config_sections["console"] = {**DEMO_CONSOLE_CONFIG, **config_sections.get("console", {})}
        self.sim_server: RunningServer = serve_in_thread(create_simulator(self.sim_config, sim_clock))
        self.sim = SimulatorClient(self.sim_server.url)
        config_sections["bot"] = {"playbooks_dir": str(PLAYBOOKS_DIR), "tag_rules": str(TAG_RULES),
                                  "scripts": str(SCRIPTS), **config_sections.get("bot", {})}
        if clock is not None and not time_travel:
            # The simulator signs pushes with (simulated) wall time, a frozen bot lives on another
            # date: the replay window would refuse them. tests/web/test_webhook_security.py tests it.
            config_sections["webhook"] = {"max_timestamp_age_seconds": 0, **config_sections.get("webhook", {})}
        self.config = config_for_simulator(database_url, self.sim_server.url, self.sim_config, **config_sections)
        self.app = create_app(self.config, routers if routers is not None else default_routers(), clock)
        self._bot_app.app = self.app
        self.runtime: Runtime = self.app.extensions["siyu"]
        self.db = self.runtime.db
        self.bot_url = self.bot_server.url

    def seed_staff(self) -> None:
        """The guides the simulated corp has, as the directory sync would create them."""
        with self.db.session() as session:
            service = self.runtime.customers(session)
            for userid, name in self.sim_config.guides:
                service.staff(userid, name)

    def settle(self, timeout: float = 30.0) -> None:
        """Process stored pushes, run queued tasks and settle the profiles messages left stale, until
        nothing is waiting (the bot's own threads may hold some, a 快进's background round may be
        running tasks, the simulator may be about to push a failure it reports late): what follows
        the ack has happened."""
        deadline = time.monotonic() + timeout
        quiet = 0  # idle checks in a row: the bot's own threads hand work on between commits
        travel = self.app.extensions.get("siyu_time_travel")
        while True:
            if travel is not None:  # a jump's background round runs tasks and sends beside us
                travel.settle(max(deadline - time.monotonic(), 0.0))
            self.runtime.processor.drain()
            self.runtime.tasks.run_due()
            self.runtime.features["tagging"].settle_profiles()
            now = self.runtime.clock.now()
            with self.db.session() as session:
                busy = session.scalar(select(func.count()).select_from(Task).where(
                    Task.status.in_(("running", "pending")), Task.run_at <= now))
                busy += session.scalar(select(func.count()).select_from(Callback).where(due_now(now)))
            busy += self.sim.pending_pushes()  # e.g. a kf msg_send_fail WeChat reports after its answer
            busy += self.runtime.inbox.spooled()
            quiet = 0 if busy else quiet + 1
            if quiet >= 3:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{busy} task(s) or callback(s) still busy after {timeout}s")
            time.sleep(0.05 if busy else 0.1)

    def stored_pushes(self) -> int:
        """Pushes stored durably: in `callbacks`, or still in the webhook's spool (SQLite).

        The processor moves pushes from the spool into `callbacks` (same id) while this counts:
        the spool is read first and the ids are united, so a push moved in between is counted
        once, not in neither place nor in both."""
        spool = self.runtime.inbox.spool
        spooled = {item.id for item in spool.oldest(1_000_000)} if spool is not None else set()
        with self.db.read_session() as session:
            return len(spooled | set(session.scalars(select(Callback.id))))

    def customer_id(self, **identity: str) -> int:
        """The stored customer with this identity (`external_userid=...`, `openid=...`)."""
        with self.db.session() as session:
            customer = self.runtime.customers(session).find(identity)
            assert customer is not None, identity
            return customer.id

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        headers = {"Authorization": f"Bearer {API_TOKEN}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.bot_url}{path}", headers=headers, timeout=10, **kwargs)

    def close(self) -> None:
        travel = self.app.extensions.get("siyu_time_travel")
        if travel is not None:
            travel.settle()  # its background round of jobs, before the database goes
        self.bot_server.stop()
        self.sim_server.stop()
        self.runtime.close()
