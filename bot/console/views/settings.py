"""设置与健康 (admins): the sending rules in force, channel health, outbox depth and lateness."""

from __future__ import annotations

from flask import render_template

from bot.console.health import health
from bot.console.views.base import bp, requires
from bot.web import current_runtime


@bp.get("/settings")
@requires("admin")
def settings() -> str:
    runtime = current_runtime()
    with runtime.db.session() as session:
        return render_template("console/settings.html", h=health(session, runtime.config, runtime.clock.now()),
                               source=runtime.config.source)
