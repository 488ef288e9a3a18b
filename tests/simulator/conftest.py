"""Fixtures: the simulator on a real port, and a tiny stand-in bot that receives its callbacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.simulator import RunningServer, SimulatorClient, SimulatorConfig, create_simulator, serve_in_thread
from bot.wechat.clients import MpClient, WeComClient
from tests.simulator.stand_in import StandInBot


@pytest.fixture
def stand_in_bot() -> Iterator[StandInBot]:
    bot = StandInBot(SimulatorConfig())
    server = serve_in_thread(bot.app())
    bot.url = server.url
    yield bot
    server.stop()


@pytest.fixture
def sim_config(stand_in_bot: StandInBot) -> SimulatorConfig:
    # Same demo keys as the stand-in bot; callbacks go to its port.
    return SimulatorConfig.for_bot(stand_in_bot.url)


@pytest.fixture
def sim_server(sim_config: SimulatorConfig, stand_in_bot: StandInBot) -> Iterator[RunningServer]:
    server = serve_in_thread(create_simulator(sim_config))
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server: RunningServer) -> SimulatorClient:
    return SimulatorClient(sim_server.url)


@pytest.fixture
def wecom(sim_server: RunningServer, sim_config: SimulatorConfig) -> WeComClient:
    return WeComClient(sim_config.corp_id, sim_config.corp_secret, api_base_url=f"{sim_server.url}/cgi-bin/")


@pytest.fixture
def mp(sim_server: RunningServer, sim_config: SimulatorConfig) -> MpClient:
    return MpClient(sim_config.mp_app_id, sim_config.mp_secret, api_base_url=f"{sim_server.url}/mp/cgi-bin/")
