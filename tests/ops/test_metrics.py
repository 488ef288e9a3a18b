"""/metrics: it moves when messages flow and deliveries go out, and it needs its token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FrozenClock
from bot.config import MetricsConfig
from bot.ops.views import allowed
from tests.playbooks.support import START, PlaybookHarness, playbook_dir, simple_playbook

TOKEN = "metrics-test-token"


@pytest.fixture
def h(database_url: str, tmp_path: Path) -> Iterator[PlaybookHarness]:
    directory = playbook_dir(tmp_path, {"care.toml": simple_playbook()})
    harness = PlaybookHarness(database_url, directory, FrozenClock(START), metrics={"token": TOKEN})
    harness.seed_staff()
    yield harness
    harness.close()


def scrape(h: PlaybookHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(f"{h.bot_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    """The sum of every sample called `name` whose labels include `labels`."""
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls))


def test_metrics_move_when_messages_flow_and_deliveries_go_out(h: PlaybookHarness) -> None:
    before = scrape(h)
    customer = h.kf_customer("王女士")        # add_external_contact + kf_msg_or_event callbacks, a welcome
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    mid = scrape(h)
    assert value(mid, "siyu_outbox", state="due", channel="none") == 1      # due, not yet claimed
    assert h.dispatch().sent == 1
    after = scrape(h)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    kind = "event:change_external_contact:add_external_contact"
    assert moved("siyu_callbacks_received_total", channel="wecom", kind=kind) == 1
    assert moved("siyu_callbacks_acked_total", channel="wecom", kind=kind) == 1
    assert moved("siyu_callbacks_processed_total", channel="wecom", kind=kind, outcome="ok") == 1
    assert moved("siyu_callback_ack_seconds_count", channel="wecom") >= 2
    assert moved("siyu_callback_processing_lag_seconds_count", channel="wecom") >= 2
    assert moved("siyu_messages_total", channel="welcome", status="sent") == 1
    assert moved("siyu_outbox_claimed_total") == 1
    assert moved("siyu_outbox_deliveries_total", channel="kf", status="sent", errcode="0") == 1
    assert moved("siyu_dispatch_lateness_seconds_count") == 1
    assert value(after, "siyu_outbox", state="due") == 0
    assert value(after, "siyu_database_up") == 1


def test_refusals_count_by_errcode(h: PlaybookHarness) -> None:
    customer = h.kf_customer("李先生")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.sim.fault("kf/send_msg", errcode=48002)
    before = scrape(h)
    h.dispatch()
    after = scrape(h)
    assert value(after, "siyu_wechat_errors_total", api="kf/send_msg", errcode="48002") - \
        value(before, "siyu_wechat_errors_total", api="kf/send_msg", errcode="48002") == 1
    assert value(after, "siyu_messages_total", channel="kf", status="failed", errcode="48002") - \
        value(before, "siyu_messages_total", channel="kf", status="failed", errcode="48002") == 1


def test_metrics_need_the_token(h: PlaybookHarness) -> None:
    assert requests.get(f"{h.bot_url}/metrics", timeout=10).status_code == 401
    wrong = requests.get(f"{h.bot_url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
    assert "siyu_callbacks_received_total" not in wrong.text


def test_without_a_token_only_listed_addresses_may_read() -> None:
    config = MetricsConfig(allow_from=["10.0.0.0/8"])
    assert allowed(config, "", "10.1.2.3")
    assert not allowed(config, "", "192.168.1.5")
    assert not allowed(config, "", None)
    assert not allowed(MetricsConfig(token="t"), "", "127.0.0.1")  # a token is required from everywhere
    assert allowed(MetricsConfig(token="t"), "Bearer t", "203.0.113.9")


def test_gunicorn_style_processes_add_up_in_multiprocess_mode(sqlite_url: str, tmp_path: Path) -> None:
    """Two processes count callbacks; a third (the one Prometheus scrapes) reports both."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    (tmp_path / "prom").mkdir()
    count = "from bot.ops import metrics; metrics.callback_received('wecom', 'text')"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = ("import sys; from bot.clock import Clock; from bot.db import Database; "
              "from bot.ops.metrics import render; "
              f"sys.stdout.write(render(Database({sqlite_url!r}, Clock()), Clock())[0].decode())")
    out = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, timeout=60, capture_output=True,
                         text=True).stdout
    assert 'siyu_callbacks_received_total{channel="wecom",kind="text"} 2.0' in out
    assert "siyu_scheduler_workers 0.0" in out
