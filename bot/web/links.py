"""`GET /r/<token>`: count a click on a playbook link, then send the visitor on."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, redirect, request

from bot.playbooks.links import record_click
from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("links", __name__)


@bp.get("/r/<token>")
def follow(token: str) -> Response:
    runtime = current_runtime()
    with runtime.db.session() as session:
        url = record_click(session, token, runtime.clock, runtime.hooks, request.headers.get("User-Agent", ""))
    if url is None:
        abort(404, description="unknown or expired link")
    return redirect(url, code=302)
