"""`siyu demo`: the bot and the WeChat simulator on one machine, SQLite under var/, ready to try."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import waitress.server

from bot.clock import TravelClock
from bot.config import Config, config_from_dict
from bot.db import Database
from bot.schema import upgrade
from bot.simulator import SimulatorClient, SimulatorConfig, create_simulator, serve_in_thread
from bot.simulator.clock import SimClock

logger = logging.getLogger(__name__)

DEMO_API_TOKEN = "demo-api-token"
DEMO_DIR = Path("var")
DEMO_CUSTOMERS = [("小美", "guide_li", "store_sh"), ("王先生", "guide_wang", "poster_2026")]
SHIPPED_PLAYBOOKS = "playbooks"
SHIPPED_RULES = Path("rules")
# Off in the demo: 沉默客户唤醒 would message the sample history's hundreds of quiet customers at the
# first 10:00; its what-if shows who would enter, and the console's 启用 switches it on.
DEMO_DISABLED_PLAYBOOKS = ("re-engagement",)


def config_for_simulator(database_url: str, sim_url: str, sim: SimulatorConfig,
                         **sections: Mapping[str, Any]) -> Config:
    """Bot settings that talk to the simulator with its keys; `sections` override per key."""
    data: dict[str, Any] = {
        "database": {"url": database_url},
        "wecom": {
            "corp_id": sim.corp_id, "agent_id": sim.agent_id, "secret": sim.corp_secret, "token": sim.token,
            "encoding_aes_key": sim.encoding_aes_key, "api_base_url": f"{sim_url}/cgi-bin/",
            "open_kfid": sim.open_kfid, "oauth_base_url": f"{sim_url}/connect/oauth2/authorize",
            "jssdk_url": f"{sim_url}/sim/jssdk/jweixin.js",
        },
        "mp": {
            "app_id": sim.mp_app_id, "secret": sim.mp_secret, "token": sim.mp_token,
            "encoding_aes_key": sim.mp_encoding_aes_key, "api_base_url": f"{sim_url}/mp/cgi-bin/",
        },
        "api": {"tokens": [DEMO_API_TOKEN]},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return config_from_dict(data, source="<demo>")


def run_demo(port: int = 5000, sim_port: int = 8800, once: bool = False,
             bot: dict[str, Any] | None = None) -> int:
    from bot.app import create_app
    from bot.inbound.routing import load_routers
    from bot.jobs.scheduler import build_scheduler

    DEMO_DIR.mkdir(exist_ok=True)
    # Start-up chatter (the simulator's request log, migrations, job registration) drowns the intro.
    for name in ("werkzeug", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # The scheduler's too, and its "skipped: maximum number of running instances" while a long tick runs.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    bot_url = f"http://127.0.0.1:{port}"
    sim_config = SimulatorConfig.for_bot(bot_url)
    sim_clock, clock = shared_clock()
    simulator = serve_in_thread(create_simulator(sim_config, sim_clock), port=sim_port)
    database_url = f"sqlite:///{DEMO_DIR / 'siyu-demo.db'}"
    from bot.console.demo import DEMO_CONSOLE_CONFIG, seed_console

    bot = {"playbooks_dir": SHIPPED_PLAYBOOKS, **(bot or {})}
    bot["playbooks_dir"] = demo_playbooks(bot["playbooks_dir"])
    bot.update(demo_rules(bot))
    config = config_for_simulator(database_url, simulator.url, sim_config, bot={**bot, "public_url": bot_url},
                                  console=DEMO_CONSOLE_CONFIG)
    upgrade(Database(database_url, clock))
    app = create_app(config, load_routers(config.bot.handlers), clock)
    runtime = app.extensions["siyu"]
    server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=8)
    web = threading.Thread(target=server.run, name="siyu-web", daemon=True)
    web.start()
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        _seed_staff(runtime, sim_config)
        seed_console(runtime)  # before the customers: the channel codes they add through
        sim = SimulatorClient(simulator.url)
        _known_contacts(runtime, sim)
        welcome, first = _seed(runtime, sim)
        _start_journey(runtime, sim, first)
        _print_intro(bot_url, simulator.url, welcome, first, _customer_ref(runtime, first))
        if once:
            return 0 if welcome else 1
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        scheduler.shutdown(wait=False)
        server.close()
        simulator.stop()
        runtime.close()


def demo_playbooks(directory: str) -> str:
    """The shipped playbooks, copied into var/ on the first run so the console's editor never edits
    the checkout (a configured directory is used as it is)."""
    source, target = Path(directory), DEMO_DIR / "playbooks"
    if directory != SHIPPED_PLAYBOOKS or not source.is_dir():
        return directory
    if not target.exists():
        from bot.console.playbook_editor import with_enabled

        shutil.copytree(source, target)
        for playbook_id in DEMO_DISABLED_PLAYBOOKS:
            path = target / f"{playbook_id}.toml"
            if path.exists():
                path.write_text(with_enabled(path.read_text(encoding="utf-8"), False), encoding="utf-8")
    return str(target)


def demo_rules(bot: dict[str, Any]) -> dict[str, str]:
    """The shipped tag rules and 话术 library, copied into var/rules/ on the first run as the
    playbooks are, so the console's editors never edit the checkout (configured paths stay)."""
    paths = {}
    for key, shipped in (("tag_rules", SHIPPED_RULES / "tags.toml"), ("scripts", SHIPPED_RULES / "scripts.toml")):
        if bot.get(key, str(shipped)) not in ("", str(shipped)) or not shipped.is_file():
            continue
        target = DEMO_DIR / "rules" / shipped.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(shipped, target)
        model = SHIPPED_RULES / "tags.model.json"  # the learned check the tag rules' [model] names, beside them
        if key == "tag_rules" and model.is_file() and not (target.parent / model.name).exists():
            shutil.copy(model, target.parent / model.name)
        paths[key] = str(target)
    return paths


def shared_clock() -> tuple[SimClock, TravelClock]:
    """One clock for the simulator and the bot, which 快进 moves for both (the simulator's reset keeps it)."""
    sim_clock = SimClock(shared=True)
    return sim_clock, TravelClock(sim_clock)


def _customer_ref(runtime: Any, external_userid: str) -> str:
    """The short reference (#A1) a guide types for this customer."""
    from bot.guides.lookup import ref_of

    with runtime.db.session() as session:
        customer = runtime.customers(session).find({"external_userid": external_userid})
        return f"#{ref_of(customer.id)}" if customer is not None else "#A1"


def _seed_staff(runtime: Any, sim_config: SimulatorConfig) -> None:
    """The simulated corp's guides, with their names (before the console's accounts link to them)."""
    with runtime.db.session() as session:
        service = runtime.customers(session)
        for userid, name in sim_config.guides:
            service.staff(userid, name)


def _known_contacts(runtime: Any, sim: SimulatorClient) -> None:
    """Every WeCom contact the demo database holds (the sample history, earlier runs' customers) is one
    in the fresh simulator too, quietly: tag syncs and sends about them are answered, not refused."""
    from sqlalchemy import select

    from bot.models import Customer, Staff

    with runtime.db.session() as session:
        rows = session.execute(select(Customer.external_userid, Customer.name, Staff.userid)
                               .join(Staff, Staff.id == Customer.guide_id)
                               .where(Customer.external_userid.is_not(None))).all()
    sim.existing_customers([{"external_userid": e, "name": n or "", "userid": u} for e, n, u in rows])


def _seed(runtime: Any, sim: SimulatorClient) -> tuple[str, str]:
    """Two customers who add their guides; returns a welcome message and the first one's external_userid."""
    added = [sim.add_customer(name, userid=guide, state=state)["external_userid"]
             for name, guide, state in DEMO_CUSTOMERS]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if len(sim.delivered(api="externalcontact/send_welcome_msg")) >= len(added):
            return sim.delivered(api="externalcontact/send_welcome_msg", to=added[0])[0], added[0]
        runtime.tasks.run_due()
        time.sleep(0.2)
    return "", added[0]


def _start_journey(runtime: Any, sim: SimulatorClient, external_userid: str) -> None:
    """小美 writes to 微信客服 (opening its 48 h window) and a treatment is recorded for her: the
    30-day 术后回访 starts, and one 快进 1 天 reaches its day-1 step (10:00 the day after)."""
    sim.kf_message(external_userid, "做完水光针回家了，要注意些什么？")
    now = runtime.clock.now()
    # Before 10:00 the treatment was yesterday afternoon: day 1 is then today at 10:00, within a day.
    treated = now if now.astimezone(runtime.config.scheduler.tz).hour >= 10 else now - timedelta(hours=12)
    with runtime.db.session() as session:
        service = runtime.customers(session)
        customer = service.find({"external_userid": external_userid})
        if customer is not None:
            service.record_event(customer, "treatment_completed", treated, {"item": "水光针", "doctor": "张医生"},
                                 source="demo")


def _print_intro(bot_url: str, sim_url: str, welcome: str, first: str, ref: str) -> None:
    from bot.console.demo import intro_lines

    chat = f"{sim_url}/sim/chat?userid=guide_li&external_userid={first}"
    lines = [
        "",
        "思域 Siyu demo is running (SQLite: var/siyu-demo.db). Press Ctrl+C to stop.",
        "",
        *intro_lines(bot_url),
        "  快进 (time travel)  the console's header strip and the simulator page move the demo's one clock.",
        "                     小美 just had a 水光针 treatment: press 快进 1 天 and her day-1 care message",
        "                     (术后回访) arrives; keep pressing 快进 7 天 to watch the 30-day journey play out",
        f"  WeChat simulator   {sim_url}/        play a customer or a guide, see every message the bot sends",
        f"  Guide chat window  {chat}",
        "                     李导购's WeCom chat with 小美, with the chat sidebar (聊天工具栏) inside",
        f"  Bot health         {bot_url}/healthz",
        f"  Business API       curl -H 'Authorization: Bearer {DEMO_API_TOKEN}' {bot_url}/api/customers",
        "",
        "Two simulated customers just added their guides. The welcome message they received:",
        f"  {welcome or '(not received: see the log above)'}",
        "",
        "Play a customer writing in: in the simulator page pick 小美 under 「扮演客户：发消息」 and send",
        "「想预约下周六做水光针，多少钱？」 to 微信客服. The bot tags it and forwards it to 李导购 with the",
        f"profile and three suggested replies: it shows in the simulator page as an app message ({ref}).",
        "",
        "Play the guide answering: under 「扮演导购」 write to the app as 李导购:",
        f"  {ref} 好的，周六上午给您约上     relays the answer to 小美 over 微信客服",
        f"  {ref} 1                         sends suggestion 1;  「查 小美」 shows the profile",
        "  帮助                            lists every command (标签 记录 备注 任务 稍后 话术 推荐码 ...)",
        "",
        "Open the sidebar: open the guide chat window above (or 「打开导购聊天窗口」 in the simulator page).",
        "The sidebar signs 李导购 in through the simulated WeCom OAuth, finds 小美 through the JS-SDK",
        "stand-in, and lets you edit tags (synced to WeCom corp tags) and send a 话术 into the chat.",
        "",
        "Playbooks run too, from a copy of playbooks/ in var/playbooks (the console's editor changes that",
        "copy, never your checkout; 沉默客户唤醒 starts switched off: see its what-if, then enable it). Five",
        "minutes after a customer adds a guide, the welcome series (欢迎旅程) sends its first step",
        "(快进 1 小时 to see it now). Delete the guide as the customer and watch the churn notice arrive.",
        "",
    ]
    print("\n".join(lines), flush=True)
