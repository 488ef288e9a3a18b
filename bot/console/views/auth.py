"""Logging in and out of the console."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from bot.console.accounts import AccountService, LoginThrottled, identity_of
from bot.console.views.base import audit, bp, requires
from bot.web import current_runtime
from bot.wechat.oauth import OAuthError, authorize_url, userid_from_code


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
        with runtime.db.session() as db_session:
            accounts = AccountService(db_session, runtime.clock, runtime.config.console)
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
    return render_template("console/login.html", error=error, username=request.form.get("username", ""),
                           wecom_login_url=_wecom_button()), status


@bp.post("/logout")
@requires()
def logout() -> Response:
    with current_runtime().db.session() as db_session:
        audit(db_session, "logout")
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


@bp.get("/login/wecom")
def wecom_login() -> Response:
    """Off to WeCom's authorize page (the simulator's in the demo); it comes back with a code."""
    runtime = current_runtime()
    if not runtime.config.wecom.configured:
        abort(404)
    state = secrets.token_urlsafe(16)
    session["wecom_login_state"] = state
    return redirect(authorize_url(runtime.config.wecom, _callback_url(), state))


@bp.get("/login/wecom/callback")
def wecom_callback() -> Response | tuple[str, int]:
    runtime = current_runtime()
    expected = session.pop("wecom_login_state", None)
    if not expected or not secrets.compare_digest(expected, request.args.get("state", "")):
        return render_template("console/login.html", error="登录已过期，请重新点击「企业微信登录」。",
                               username="", wecom_login_url=_wecom_button()), 400
    try:
        userid = userid_from_code(runtime.outbound, request.args.get("code", ""))
    except OAuthError as error:
        return render_template("console/login.html", error=str(error), username="",
                               wecom_login_url=_wecom_button()), 400
    with runtime.db.session() as db_session:
        user = AccountService(db_session, runtime.clock, runtime.config.console).by_wecom_userid(
            userid, request.remote_addr or "")
        if user is None:
            return render_template("console/login.html", username="", wecom_login_url=_wecom_button(),
                                   error=f"企业微信成员 {userid} 还没有后台账号，请联系管理员开通。"), 403
        login_user(identity_of(user))
    return redirect(url_for("console.dashboard"))


def _callback_url() -> str:
    return url_for("console.wecom_callback", _external=True)


def _wecom_button() -> str:
    return url_for("console.wecom_login") if current_runtime().config.wecom.configured else ""
