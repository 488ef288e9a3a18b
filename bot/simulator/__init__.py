"""A simulated WeCom and Official Account, over real HTTP, for the bot's tests and demo."""

from .app import create_simulator
from .client import SimulatorClient, SimulatorError
from .config import SimulatorConfig
from .server import RunningServer, serve_in_thread

__all__ = [
    "RunningServer",
    "SimulatorClient",
    "SimulatorConfig",
    "SimulatorError",
    "create_simulator",
    "serve_in_thread",
]
