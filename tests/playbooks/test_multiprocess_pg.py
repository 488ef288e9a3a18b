"""Several dispatcher processes on one PostgreSQL database: each delivery is sent exactly once,
even when a dispatcher is killed mid-batch (its claims are recovered after the lease expires)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.config import Config
from bot.demo import config_for_simulator
from bot.models import Customer, Delivery
from bot.playbooks.feature import sync_playbooks
from bot.assembly import build_runtime
from bot.runtime import Runtime
from bot.simulator import SimulatorClient, SimulatorConfig, create_simulator, serve_in_thread
from tests.conftest import truncate_all
from tests.playbooks.support import simple_playbook

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
STEP = """
[[steps]]
id = "hello"
after = "0m"
channels = ["kf"]
text = "{{ customer.name }}，您好"
"""


@pytest.fixture
def world(postgres_server_url: str, tmp_path: Path) -> Iterator[tuple[Runtime, SimulatorClient, Path]]:
    """A migrated, empty PostgreSQL database, the simulator, a runtime, and a config file for workers."""
    truncate_all(postgres_server_url)
    sim_config = SimulatorConfig.for_bot("http://127.0.0.1:9")      # no bot listens: pushes just fail
    server = serve_in_thread(create_simulator(sim_config))
    directory = tmp_path / "playbooks"
    directory.mkdir()
    (directory / "hello.toml").write_text(simple_playbook("hello", 'event = "signed_up"', STEP), encoding="utf-8")
    config = config_for_simulator(postgres_server_url, server.url, sim_config, bot={"playbooks_dir": str(directory)},
                        scheduler={"quiet_hours": ["00:00", "00:00"]})
    config_file = tmp_path / "config.toml"
    config_file.write_text(_toml(config), encoding="utf-8")
    runtime = build_runtime(config, [], Clock())
    yield runtime, SimulatorClient(server.url), config_file
    runtime.close()
    server.stop()


def _toml(config: Config) -> str:
    wecom, mp = config.wecom, config.mp
    return "\n".join([
        f'[database]\nurl = "{config.database.url}"',
        f'[wecom]\ncorp_id = "{wecom.corp_id}"\nagent_id = {wecom.agent_id}',
        f'secret = "{wecom.secret.get_secret_value()}"',
        f'token = "{wecom.token.get_secret_value()}"\nencoding_aes_key = "{wecom.encoding_aes_key.get_secret_value()}"',
        f'api_base_url = "{wecom.api_base_url}"\nopen_kfid = "{wecom.open_kfid}"',
        f'[mp]\napp_id = "{mp.app_id}"\nsecret = "{mp.secret.get_secret_value()}"\napi_base_url = "{mp.api_base_url}"',
        f'[scheduler]\nquiet_hours = ["00:00", "00:00"]\n[bot]\nplaybooks_dir = "{config.bot.playbooks_dir}"',
    ]) + "\n"


def enrol_customers(runtime: Runtime, sim: SimulatorClient, count: int, event: str = "signed_up") -> list[str]:
    """`count` customers who wrote to 微信客服 (its window is open) and signed up: one due delivery each."""
    externals = [f"wm_mp_{i:04d}" for i in range(count)]
    for external in externals:
        sim.kf_message(external, "你好")
    with runtime.db.session() as session:
        service = runtime.customers(session)
        for number, external in enumerate(externals):
            customer = service.from_wecom(external, name=f"客户{number}")
            service.record_event(customer, event, runtime.clock.now(), {}, source="api")
    return externals


def dispatcher(config_file: Path, worker: str, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot.cli", "--config", str(config_file), "playbook", "dispatch",
               "--worker-id", worker, *extra]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def deliveries(runtime: Runtime) -> list[Delivery]:
    with runtime.db.session() as session:
        return list(session.scalars(select(Delivery).join(Customer, Customer.id == Delivery.customer_id)))


def delivered_per_customer(sim: SimulatorClient) -> Counter[str]:
    return Counter(record["to"] for record in sim.sent(api="kf/send_msg") if record["delivered"])


def test_several_dispatcher_processes_send_each_delivery_exactly_once(world) -> None:  # type: ignore[no-untyped-def]
    runtime, sim, config_file = world
    externals = enrol_customers(runtime, sim, 300)
    workers = [dispatcher(config_file, f"w{i}", "--batch", "10") for i in range(4)]
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]

    records = sim.sent(api="kf/send_msg")
    assert len(records) == 300 and all(r["delivered"] for r in records)   # not even a duplicate attempt
    assert delivered_per_customer(sim) == Counter(dict.fromkeys(externals, 1))
    rows = deliveries(runtime)
    assert len(rows) == 300 and {r.status for r in rows} == {"sent"}
    by_worker = Counter(r.claimed_by for r in rows)
    assert len(by_worker) >= 2, by_worker                                 # the work really was shared


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice(world) -> None:  # type: ignore[no-untyped-def]
    runtime, sim, config_file = world
    externals = enrol_customers(runtime, sim, 300)
    lease_seconds = 3
    victim = dispatcher(config_file, "victim", "--batch", "100", "--lease-seconds", str(lease_seconds))
    deadline = time.monotonic() + 60
    while len(sim.sent(api="kf/send_msg")) < 40:
        assert victim.poll() is None, "the dispatcher finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)

    rows = deliveries(runtime)
    statuses = Counter(r.status for r in rows)
    assert statuses["claimed"] > 0, statuses                              # killed holding claimed rows
    assert sum(delivered_per_customer(sim).values()) < 300

    time.sleep(lease_seconds + 0.5)                                       # the lease runs out
    rescuers = [dispatcher(config_file, f"rescuer{i}", "--batch", "20") for i in range(2)]
    for process in rescuers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]

    assert delivered_per_customer(sim) == Counter(dict.fromkeys(externals, 1))  # each exactly once
    rows = deliveries(runtime)
    assert {r.status for r in rows} == {"sent"}
    duplicates = [r for r in sim.sent(api="kf/send_msg") if r.get("duplicate")]
    # A row sent but not yet marked when the victim died was sent again with the same msgid:
    # WeChat answered as before and delivered nothing new.
    assert all(not r["delivered"] for r in duplicates)


BURST = "".join(f"""
[[steps]]
id = "s{i}"
after = "0m"
channels = ["kf"]
text = "第{i}条"
""" for i in range(1, 6))


def test_several_dispatchers_keep_each_customers_frequency_cap(world) -> None:  # type: ignore[no-untyped-def]
    runtime, sim, config_file = world
    (Path(runtime.config.bot.playbooks_dir) / "burst.toml").write_text(
        simple_playbook("burst", 'event = "burst"', BURST), encoding="utf-8")
    sync_playbooks(runtime)
    externals = enrol_customers(runtime, sim, 40, event="burst")        # five steps due at once each
    # Small batches split each customer's five rows over several workers at the same moment.
    workers = [dispatcher(config_file, f"w{i}", "--batch", "3") for i in range(4)]
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]

    assert delivered_per_customer(sim) == Counter(dict.fromkeys(externals, 3))  # [scheduler] cap_per_day = 3
    rows = deliveries(runtime)
    assert Counter(r.status for r in rows) == {"sent": 120, "scheduled": 80}   # the rest wait for tomorrow
    assert len({r.claimed_by for r in rows if r.status == "sent"}) >= 2
