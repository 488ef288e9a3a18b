"""Logging in and out of the console."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from bot.console.accounts import AccountService, LoginThrottled, identity_of
from bot.console.views.base import audit, bp, requires
from bot.web import current_runtime


@bp.get("/")
def home() -> Response:
    return redirect(url_for("console.dashboard" if current_user.is_authenticated else "console.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    runtime = current_runtime()
    error = ""
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        with runtime.db.session() as session:
            accounts = AccountService(session, runtime.clock, runtime.config.console)
            try:
                user = accounts.authenticate(username, password, request.remote_addr or "")
            except LoginThrottled:
                user, status = None, 429
                error = "登录失败次数过多，请稍后再试。"
            else:
                if user is None:
                    error, status = "用户名或密码错误。", 401
                else:
                    login_user(identity_of(user))
        if not error:
            return redirect(_safe_next(request.args.get("next")))
    return render_template("console/login.html", error=error, username=request.form.get("username", "")), status


@bp.post("/logout")
@requires()
def logout() -> Response:
    with current_runtime().db.session() as session:
        audit(session, "logout")
    logout_user()
    flash("已退出登录")
    return redirect(url_for("console.login"))


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/console/"):
            return target
    return url_for("console.dashboard")
