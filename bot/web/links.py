"""`GET /r/<token>`: count a click on a playbook link, then send the visitor on."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, redirect, request

from bot.playbooks.links import ClickFilter, record_click
from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("links", __name__)


@bp.get("/r/<token>")
def follow(token: str) -> Response:
    runtime = current_runtime()
    if len(token) > 32 or "\x00" in token:
        abort(404, description="unknown or expired link")
    links = runtime.config.links
    clicks = ClickFilter.from_patterns(links.ignore_user_agents, links.repeat_seconds)
    with runtime.db.session() as session:
        url = record_click(session, token, runtime.clock, runtime.hooks, request.headers.get("User-Agent", ""),
                           method=request.method, clicks=clicks)
    if url is None:
        abort(404, description="unknown or expired link")
    return redirect(url, code=302)
