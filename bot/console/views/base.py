"""The console blueprint and what every page needs: the runtime, the viewer, role checks, audit."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from bot.console.accounts import Identity
from bot.console.audit import AuditLog
from bot.web import current_runtime

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="../templates",
               static_folder="../static", static_url_path="/static")

F = TypeVar("F", bound=Callable[..., Any])
UPLOAD_LIMIT = 20 * 1024 * 1024 + 64 * 1024  # a 20 MB CSV and the form around it

NAV = [
    ("console.dashboard", "概览", ("admin", "operator", "guide")),
    ("console.customers", "客户", ("admin", "operator", "guide")),
    ("console.playbooks", "剧本", ("admin", "operator")),
    ("console.channels", "渠道活码", ("admin", "operator", "guide")),
    ("console.rules", "标签规则", ("admin", "operator")),
    ("console.labels", "标注", ("admin", "operator")),
    ("console.scripts", "话术库", ("admin", "operator")),
    ("console.imports", "导入", ("admin", "operator")),
    ("console.settings", "设置与健康", ("admin",)),
    ("console.users", "用户", ("admin",)),
    ("console.audit", "审计日志", ("admin",)),
]


@bp.before_request
def _check_csrf() -> None:
    """Every state-changing request to the console carries the session's CSRF token."""
    if request.endpoint == "console.imports":
        request.max_content_length = UPLOAD_LIMIT  # the app's limit is sized for webhook pushes
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        current_app.extensions["csrf"].protect()


@bp.after_request
def _no_store(response):  # type: ignore[no-untyped-def]
    """Pages show customers' data: never cached, never framed."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
    return render_template("console/error.html", title="请求已过期",
                           message="表单缺少有效的安全令牌（CSRF），请刷新页面后重试。"), 400


@bp.app_context_processor
def _nav() -> dict[str, Any]:
    return {"console_nav": NAV, "url_rules": current_app.view_functions}


def viewer() -> Identity:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def requires(*roles: str) -> Callable[[F], F]:
    """Logged in with one of these roles; others get 403."""
    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if roles and viewer().role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


def audit(session: Session, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
    AuditLog(session, current_runtime().clock).record(viewer(), action, target, detail,
                                                      remote_addr=request.remote_addr or "")


def page_number() -> int:
    raw = request.args.get("page", "1")
    return min(int(raw), 100_000) if raw.isdigit() and int(raw) > 0 else 1


@bp.app_template_filter("localtime")
def localtime(value: Any) -> str:
    """A stored UTC time in the operator's time zone, to the minute."""
    if value is None or not hasattr(value, "astimezone"):
        return "" if value is None else str(value)
    return value.astimezone(current_runtime().config.scheduler.tz).strftime("%Y-%m-%d %H:%M")


@bp.app_template_filter("localdate")
def _localdate(value: Any) -> str:
    if value is None or not hasattr(value, "astimezone"):
        return "" if value is None else str(value)
    return value.astimezone(current_runtime().config.scheduler.tz).strftime("%Y-%m-%d")


ERROR_TEXT = {403: ("无权访问", "你的角色不能打开这个页面。"), 404: ("找不到", "没有这个页面或客户，或者你无权查看。"),
              405: ("不支持的操作", "这个地址不接受这种请求。")}


def error_page(exc: Any) -> Any:
    """Console errors as a page in Chinese, not the API's JSON."""
    code = exc.code or 500
    title, message = ERROR_TEXT.get(code, ("出错了", exc.description or ""))
    return render_template("console/error.html", title=title, message=message), code
