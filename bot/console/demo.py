"""What `siyu demo` adds for the console: demo logins and a year of sample history to look at."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from bot.analytics.sample import SampleSize, seed_history
from bot.console.accounts import AccountService
from bot.models import ConsoleUser

logger = logging.getLogger(__name__)

DEMO_USERS = [("admin", "admin", None), ("yunying", "operator", None), ("li", "guide", "guide_li")]
DEMO_PASSWORD = "siyu-demo"
DEMO_SAMPLE = SampleSize(customers=600, days=180)
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
    return True


def intro_lines(bot_url: str) -> list[str]:
    return [
        f"  Operator console   {bot_url}/console/   log in as admin / {DEMO_PASSWORD}",
        f"                     (operator: yunying / {DEMO_PASSWORD}; guide 李导购: li / {DEMO_PASSWORD})",
    ]
