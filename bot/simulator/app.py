"""`create_simulator(config)`: one Flask app playing WeCom and the Official Account."""

from __future__ import annotations

from flask import Flask

from . import actors, chat, contact_ways, control, mp_api, oauth, page, transfers, wecom_api
from .clock import SimClock
from .config import SimulatorConfig
from .state import SimulatorState


def create_simulator(config: SimulatorConfig | None = None, clock: SimClock | None = None) -> Flask:
    """`clock`: one shared with the bot (the demo); by default the simulator keeps its own."""
    config = config or SimulatorConfig()
    app = Flask(__name__)
    # Readable Chinese in /sim/sent and the page; keep WeChat's field order.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["simulator"] = SimulatorState(config, clock or SimClock())
    for module in (wecom_api, mp_api, control, actors, page):
        app.register_blueprint(module.bp)
    for blueprint in (oauth.bp, oauth.api, contact_ways.bp, contact_ways.control, transfers.bp, transfers.control,
                      chat.bp):
        app.register_blueprint(blueprint)
    return app
