"""Helpers for playbook tests: a harness with chosen playbooks and a frozen clock, and readers."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import Customer, Delivery, Enrolment
from bot.playbooks.outbox import DispatchStats, Outbox
from tests.support.harness import Harness

SH = ZoneInfo("Asia/Shanghai")
# A Monday, 10:00 in Shanghai: outside quiet hours.
START = datetime(2026, 11, 2, 10, 0, tzinfo=SH)
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "playbooks"
GUIDE = "guide_li"


class PlaybookHarness(Harness):
    """The bot and the simulator, with only the playbooks a test names, on a frozen clock."""

    def __init__(self, database_url: str, directory: Path, clock: FrozenClock, **sections: Mapping[str, Any]) -> None:
        sections.setdefault("bot", {})
        sections["bot"] = {"playbooks_dir": str(directory), "public_url": "http://links.test", **sections["bot"]}
        super().__init__(database_url, clock=clock, **sections)
        self.clock = clock
        feature = self.runtime.features["playbooks"]
        self.outbox, self.scanners = feature.outbox, feature.scanners

    # -- acting ----------------------------------------------------------------------------------

    def kf_customer(self, name: str, guide: str = GUIDE, write: str | None = "你好") -> int:
        """A customer adds the guide, then (optionally) writes to 微信客服, opening its 48 h window."""
        added = self.sim.add_customer(name, userid=guide)
        external_userid = added["external_userid"]
        if write:
            self.sim.kf_message(external_userid, write)
        self.settle()
        return self.customer_id(external_userid=external_userid)

    def mp_follower(self, openid: str, write: str | None = None) -> int:
        self.sim.mp_subscribe(openid)
        if write:
            self.sim.mp_text(openid, write)
        self.settle()
        return self.customer_id(openid=openid)

    def update_customer(self, customer_id: int, **values: Any) -> None:
        with self.db.session() as session:
            customer = session.get(Customer, customer_id)
            for name, value in values.items():
                setattr(customer, name, value)

    def event(self, customer_id: int, type_: str, data: Mapping[str, Any] | None = None,
              at: datetime | None = None) -> None:
        """A business system reports an event through the API."""
        response = self.api("POST", "/api/events", json={
            "customer": {"id": customer_id}, "type": type_, "at": (at or self.clock.now()).isoformat(),
            "data": dict(data or {})})
        assert response.status_code == 202, response.text

    def record_event(self, customer_id: int, type_: str, data: Mapping[str, Any] | None = None) -> None:
        """An event recorded inside the bot (as the tagger records tag_added)."""
        with self.db.session() as session:
            customer = session.get(Customer, customer_id)
            self.runtime.customers(session).record_event(customer, type_, self.clock.now(), dict(data or {}),
                                                         source="system")

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    def advance(self, **kwargs: float) -> None:
        self.clock.advance(timedelta(**kwargs))

    def dispatch(self) -> DispatchStats:
        return self.outbox.dispatch_due()

    def dispatch_until_settled(self) -> list[dict[str, int]]:
        """Dispatch what is due, let WeChat report late what it took and then failed (a kf
        msg_send_fail through kf/sync_msg, the simulator's default for a closed window), and
        dispatch the fallbacks that made due, until a pass sends nothing: each pass's channels."""
        passes = []
        while True:
            sent = self.dispatch().by_channel
            if not sent:
                return passes
            passes.append(sent)
            self.settle()

    def crashed_worker(self) -> Outbox:
        """Another dispatcher on the same database, with its own claims and a 5-minute lease."""
        return Outbox(self.db, self.config, self.clock, self.outbox.channels, worker_id="crashed",
                      lease=timedelta(minutes=5))

    def send_then_crash(self, channel: str) -> None:
        """A worker claims what is due, sends it through `channel`, and dies before marking it."""
        crashed = self.crashed_worker()
        ids = crashed.claim(10)
        with self.db.session() as session:
            plans = crashed._prepare(session, crashed._held(ids), DispatchStats())
        for plan in plans:
            crashed.channels[channel].send(plan.rendered())

    # -- reading ---------------------------------------------------------------------------------

    def deliveries(self, customer_id: int | None = None) -> list[Delivery]:
        with self.db.session() as session:
            query = select(Delivery).order_by(Delivery.id)
            if customer_id is not None:
                query = query.where(Delivery.customer_id == customer_id)
            return list(session.scalars(query))

    def delivery(self, customer_id: int, step_id: str) -> Delivery:
        found = [d for d in self.deliveries(customer_id) if d.step_id == step_id]
        assert len(found) == 1, (step_id, found)
        return found[0]

    def enrolments(self, customer_id: int | None = None) -> list[Enrolment]:
        with self.db.session() as session:
            query = select(Enrolment).order_by(Enrolment.id)
            if customer_id is not None:
                query = query.where(Enrolment.customer_id == customer_id)
            return list(session.scalars(query))

    def external_userid(self, customer_id: int) -> str:
        with self.db.session() as session:
            return session.get(Customer, customer_id).external_userid  # type: ignore[union-attr]

    def delivered(self, customer_id: int, api: str = "kf/send_msg") -> list[str]:
        with self.db.session() as session:
            customer = session.get(Customer, customer_id)
            to = customer.external_userid if api in ("kf/send_msg",) else customer.openid
        return self.sim.delivered(api=api, to=to)

    def guide_tasks(self, guide: str = GUIDE) -> list[str]:
        return [text for text in self.sim.delivered(api="message/send", to=guide) if "剧本任务" in text]


def playbook_dir(base: Path, texts: Mapping[str, str] | None = None, shipped: Iterable[str] = ()) -> Path:
    """A playbook directory holding `texts` ({file name: TOML}) and copies of shipped playbooks."""
    directory = base / "playbooks"
    directory.mkdir(parents=True, exist_ok=True)
    for name in shipped:
        shutil.copy(SHIPPED_DIR / f"{name}.toml", directory / f"{name}.toml")
    for name, text in (texts or {}).items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def simple_playbook(playbook_id: str = "care", trigger: str = 'event = "treatment_completed"',
                    steps: str | None = None, extra: str = "") -> str:
    """A small playbook; `steps` replaces the default single step sent 1 hour after the trigger."""
    steps = steps if steps is not None else """
[[steps]]
id = "hello"
after = "1h"
channels = ["kf", "mp_custom", "guide_task"]
text = "{{ customer.name }}您好，这是第一条关怀消息"
"""
    return f'id = "{playbook_id}"\nname = "测试剧本 {playbook_id}"\n\n[trigger]\n{trigger}\n{extra}\n{steps}'
