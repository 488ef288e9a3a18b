"""The console app on a real database (SQLite and PostgreSQL), driven by Flask's test client."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import config_from_dict
from bot.console.accounts import AccountService
from bot.runtime import Runtime

PLAYBOOKS_DIR = Path(__file__).resolve().parents[2] / "playbooks"
PASSWORD = "correct-horse-1"
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@dataclass
class Console:
    app: Flask
    runtime: Runtime
    clock: FrozenClock

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def add_user(self, name: str, role: str, wecom_userid: str | None = None) -> None:
        with self.runtime.db.session() as session:
            AccountService(session, self.clock, self.runtime.config.console).add(name, role, PASSWORD, wecom_userid)

    def login(self, name: str, password: str = PASSWORD) -> FlaskClient:
        client = self.client()
        response = client.post("/console/login", data={"username": name, "password": password,
                                                       "csrf_token": csrf_token(client, "/console/login")})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    def customer(self, name: str, guide: str | None = None, state: str | None = None, **fields: Any) -> int:
        with self.runtime.db.session() as session:
            service = self.runtime.customers(session)
            customer = service.from_wecom(f"wm_{name}", name=name)
            if guide:
                staff = service.staff(guide, guide)
                service.add_guide(customer, staff, state, self.clock.now())
                customer.guide_id = staff.id
            for key, value in fields.items():
                setattr(customer, key, value)
            return customer.id


def csrf_token(client: FlaskClient, page: str) -> str:
    """The token a page's forms carry, read from the page like a browser would."""
    html = client.get(page).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[Console]:
    """The console over a copy of the shipped playbooks (the editor writes playbook files)."""
    clock = FrozenClock(START)
    playbooks = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS_DIR, playbooks)
    config = config_from_dict({"database": {"url": database_url}, "wecom": {"enabled": False},
                               "bot": {"playbooks_dir": str(playbooks)},
                               "console": {"secret_key": "test-secret-key", "secure_cookies": False}})
    app = create_app(config, routers=[], clock=clock)
    runtime: Runtime = app.extensions["siyu"]
    yield Console(app, runtime, clock)
    runtime.close()
