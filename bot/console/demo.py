"""What `siyu demo` adds for the console: demo logins and a year of sample history to look at."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from bot.analytics.sample import SampleSize, seed_history
from bot.channels.codes import ChannelCodeError, ChannelCodes, CodeDraft, ContactWays, as_dict
from bot.console.accounts import AccountService, identity_of
from bot.console.audit import AuditLog
from bot.models import ConsoleUser

logger = logging.getLogger(__name__)

DEMO_USERS = [("admin", "admin", None), ("yunying", "operator", None), ("li", "guide", "guide_li")]
DEMO_PASSWORD = "siyu-demo"
DEMO_SAMPLE = SampleSize(customers=600, days=180)
# Channel codes for the states the sample history and the demo's customers came through (渠道活码).
DEMO_CHANNEL_CODES = [
    CodeDraft("门店海报 · 上海", "store_sh", ["guide_li"], ["渠道:门店"]),
    CodeDraft("门店海报 · 北京", "store_bj", ["guide_wang"], ["渠道:门店"]),
    CodeDraft("2026 新年海报", "poster_2026", ["guide_li", "guide_wang"], ["渠道:海报"]),
    CodeDraft("双 11 直播间", "live_1111", ["guide_li", "guide_wang"], ["渠道:直播"]),
]
# Only the demo: a fixed key on plain http://127.0.0.1. Production sets its own (config.example.toml).
DEMO_CONSOLE_CONFIG = {"secret_key": "siyu-demo-console-key-not-for-production", "secure_cookies": False,
                       "time_travel": True}


def seed_console(runtime: Any) -> bool:
    """Demo accounts and sample history, once per demo database; True when written now."""
    with runtime.db.session() as session:
        if session.scalar(select(ConsoleUser.id).limit(1)) is not None:
            return False
        accounts = AccountService(session, runtime.clock, runtime.config.console)
        for name, role, wecom_userid in DEMO_USERS:
            accounts.add(name, role, DEMO_PASSWORD, wecom_userid)
    seed_history(runtime.db, runtime.clock.now(), DEMO_SAMPLE)
    seed_channel_codes(runtime)
    return True


def seed_channel_codes(runtime: Any) -> None:
    """The demo's channel codes, made at the simulated WeCom as the console makes them."""
    ways = ContactWays(runtime.outbound)
    for draft in DEMO_CHANNEL_CODES:
        try:
            made = ways.add(draft)
        except ChannelCodeError as error:
            logger.warning("demo channel code %s not made: %s", draft.state, error)
            continue
        with runtime.db.session() as session:
            code = ChannelCodes(session, runtime.clock).store(draft, made, by="admin")
            admin = session.scalar(select(ConsoleUser).where(ConsoleUser.username == "admin"))
            AuditLog(session, runtime.clock).record(identity_of(admin) if admin else None, "channel_create",
                                                    code.state, {"id": code.id, **made, **as_dict(code)})


def intro_lines(bot_url: str) -> list[str]:
    return [
        f"  Operator console   {bot_url}/console/   log in as admin / {DEMO_PASSWORD}",
        f"                     (operator: yunying / {DEMO_PASSWORD}; guide 李导购: li / {DEMO_PASSWORD})",
    ]
