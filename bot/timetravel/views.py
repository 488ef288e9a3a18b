"""The console's 快进 controls: a strip under the header with the demo time and three jumps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from bot.console.views.base import audit
from bot.timetravel.service import JUMPS, TimeTravel, UnknownJump
from bot.web import current_runtime

bp = Blueprint("timetravel", __name__, url_prefix="/console/time-travel", template_folder="templates",
               static_folder="static", static_url_path="/static")


def current_travel() -> TimeTravel:
    return current_app.extensions["siyu_time_travel"]  # type: ignore[no-any-return]


@bp.before_request
def _check_csrf() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        current_app.extensions["csrf"].protect()


@bp.app_context_processor
def _demo_time() -> dict[str, Any]:
    """What the header strip shows on every console page."""
    if not current_user.is_authenticated:
        return {}
    travel = current_travel()
    return {"time_travel": {"now": travel.clock.now(), "ahead": ahead_text(travel.offset()),
                            "jumps": {key: label for key, (_, label) in JUMPS.items()}}}


@bp.get("")
@login_required
def status() -> Response:
    travel = current_travel()
    return jsonify(now=travel.clock.now().isoformat(), ahead_seconds=round(travel.offset().total_seconds()))


@bp.post("")
@login_required
def jump() -> Any:
    key = request.form.get("jump", "")
    try:
        now = current_travel().jump(key)
    except UnknownJump as error:
        abort(400, description=str(error))
    runtime = current_runtime()
    label = JUMPS[key][1]
    with runtime.db.session() as session:
        audit(session, "time_travel", label, {"now": now.isoformat()})
    local = now.astimezone(runtime.config.scheduler.tz).strftime("%Y-%m-%d %H:%M")
    flash(f"已快进 {label}：演示时间现在是 {local}，到期的剧本步骤已按新时间发出。")
    return redirect(_back())


def _back() -> str:
    """The console page the button was pressed on (never another site)."""
    target = request.form.get("next", "")
    return target if target.startswith("/console") and "//" not in target else url_for("console.home")


def ahead_text(offset: timedelta) -> str:
    """How far the demo runs ahead of real time, in days and hours (快进 moves whole hours)."""
    hours = round(offset.total_seconds() / 3600)
    days, hours = divmod(hours, 24)
    parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else ""]
    return " ".join(part for part in parts if part) or "未快进"
