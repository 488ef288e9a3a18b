"""Every query the bot runs per message and per scheduler tick uses an index, on both databases.

The bot is driven through the simulator (customer texts, opt-out, a keyword trigger, events, a
reply to an NPS survey) and its scheduler jobs are run (dispatch, scans, finishing, tasks,
recovery, behaviour recompute, daily rollups, retention); every statement it sends is captured and explained.
A full scan of a table that grows with customers or history fails the test: at a million
customers such a query costs hundreds of milliseconds per message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

import pytest

from bot.clock import FrozenClock
from tests.playbooks.support import SH, START, PlaybookHarness, playbook_dir, simple_playbook

# Tables whose size grows with customers, messages or time. The rest (staff, tags, playbooks,
# their versions, shared values, kf cursors, daily rollups) stay small whatever the business does.
GROWING = frozenset({
    "customers", "customer_guides", "customer_tags", "messages", "events", "callbacks", "tasks",
    "enrolments", "deliveries", "guide_tasks", "links", "link_clicks", "cron_fires",
})
KEYWORD_PLAYBOOK = simple_playbook("price", trigger='keyword = ["多少钱", "价格"]')


class StatementLog:
    """The distinct statements an engine ran (with the parameters of their first run)."""

    def __init__(self) -> None:
        self.statements: dict[str, Any] = {}

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                 executemany: bool) -> None:
        if not re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", statement, re.IGNORECASE):
            return
        if executemany:
            parameters = parameters[0] if parameters else {}
        self.statements.setdefault(statement, parameters)


@contextmanager
def captured(h: PlaybookHarness) -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(h.db.engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        event.remove(h.db.engine, "before_cursor_execute", log)


def full_scans(h: PlaybookHarness, statement: str, parameters: Any) -> list[str]:
    """The plan lines of `statement` that read a growing table from end to end."""
    raw = h.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if h.db.is_sqlite:
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            lines = [str(row[-1]) for row in cursor.fetchall()]
            pattern = re.compile(r"^SCAN (\w+)")
        else:
            # On a small test database a sequential scan is cheaper than any index; with it
            # priced out, the planner shows one only where no index can serve the query.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {statement}", parameters)
            lines = [str(row[0]) for row in cursor.fetchall()]
            pattern = re.compile(r"Seq Scan on (\w+)")
        raw.rollback()
    finally:
        raw.close()
    return [line for line in lines if (found := pattern.search(line.strip())) and found.group(1) in GROWING]


def assert_indexed(h: PlaybookHarness, log: StatementLog, what: str) -> None:
    assert log.statements, f"{what}: nothing captured"
    problems = {statement: scans for statement, parameters in log.statements.items()
                if (scans := full_scans(h, statement, parameters))}
    assert not problems, f"{what}: full scans of growing tables:\n" + "\n\n".join(
        f"{statement}\n  -> {scans}" for statement, scans in problems.items())


def run_in_steps(h: PlaybookHarness, steps: list[Callable[[], Any]]) -> StatementLog:
    with captured(h) as log:
        for step in steps:
            step()
    return log


@pytest.fixture
def h(database_url: str, tmp_path: Path) -> Iterator[PlaybookHarness]:
    directory = playbook_dir(tmp_path, {"price.toml": KEYWORD_PLAYBOOK},
                             shipped=("welcome-series", "nps-survey", "birthday", "re-engagement",
                                      "post-treatment-followup"))
    harness = PlaybookHarness(database_url, directory, FrozenClock(START))
    harness.seed_staff()
    yield harness
    harness.close()


def test_per_message_and_per_tick_queries_use_indexes(h: PlaybookHarness) -> None:
    wang = h.kf_customer("王女士")
    h.mp_follower("o_li")
    h.event(wang, "order_completed", {"amount": 399})
    h.advance(days=1)
    h.dispatch()

    per_message = run_in_steps(h, [
        lambda: h.sim.kf_message(h.external_userid(wang), "请问光子嫩肤多少钱？"),   # keyword trigger, tags
        lambda: h.sim.kf_message(h.external_userid(wang), "9分"),                   # replies to the NPS survey
        lambda: h.sim.mp_text("o_li", "退订"),                                      # opt-out, passive reply
        lambda: h.sim.mp_text("o_li", "订阅"),
        lambda: h.sim.mp_subscribe("o_new"),                                        # a customer never seen
        lambda: h.sim.mp_text("o_new", "你好"),
        lambda: h.event(wang, "treatment_completed", {"item": "光子嫩肤"}),
        h.settle,
    ])
    assert_indexed(h, per_message, "per message")

    h.at(datetime(2026, 11, 20, 9, 0, 30, tzinfo=SH))   # birthdays fire, re-engagement finds the quiet
    h.update_customer(wang, birthday=datetime(1990, 11, 20).date())
    tagging = h.runtime.features["tagging"]
    per_tick = run_in_steps(h, [
        h.scanners.run,
        h.dispatch,
        lambda: h.advance(days=40),
        h.scanners.finish_enrolments,
        h.runtime.tasks.run_due,
        lambda: h.runtime.inbox.recover(grace=timedelta(0)),
        tagging.recompute_all,
        h.runtime.features["rollups"].run,                # the daily figures of the 40 days
        lambda: h.advance(days=400),
        h.runtime.features["retention"].run,
    ])
    assert_indexed(h, per_tick, "per tick")
