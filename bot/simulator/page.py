"""The page at `/`: a person plays customers and guides and watches what the bot sends."""

from __future__ import annotations

from flask import Blueprint, render_template

from .api_common import current_state

bp = Blueprint("sim_page", __name__)


@bp.get("/")
def index() -> str:
    state = current_state()
    with state.lock:
        guides = list(state.guides.items())
    return render_template("index.html", config=state.config, guides=guides)
