"""Admin-only pages: console users and the audit log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.console.accounts import ROLE_LABELS, AccountError, AccountService
from bot.console.audit import ACTION_LABELS, AuditLog
from bot.console.views.base import audit, bp, page_number, requires, viewer
from bot.models import ConsoleUser
from bot.web import current_runtime

AUDIT_PAGE = 50


@bp.get("/users")
@requires("admin")
def users() -> str:
    runtime = current_runtime()
    with runtime.db.session() as session:
        rows = AccountService(session, runtime.clock, runtime.config.console).listing()
        return render_template("console/users.html", users=rows, roles=ROLE_LABELS)


@bp.post("/users")
@requires("admin")
def add_user() -> Response:
    runtime = current_runtime()
    form = request.form
    try:
        with runtime.db.session() as session:
            user = AccountService(session, runtime.clock, runtime.config.console).add(
                form.get("username", ""), form.get("role", ""), form.get("password", ""),
                form.get("wecom_userid", "").strip() or None)
            audit(session, "user_add", user.username, {"role": user.role, "wecom_userid": user.wecom_userid})
    except AccountError as error:
        flash(str(error), "error")
    else:
        flash(f"已新建用户 {form.get('username', '').strip()}")
    return redirect(url_for("console.users"))


@bp.post("/users/<int:user_id>/active")
@requires("admin")
def set_user_active(user_id: int) -> Response:
    runtime = current_runtime()
    with runtime.db.session() as session:
        user = session.get(ConsoleUser, user_id)
        if user is None:
            flash("没有这个用户", "error")
        elif user.id == viewer().id:
            flash("不能停用自己的账号", "error")
        else:
            user.active = request.form.get("active") == "1"
            audit(session, "user_update", user.username, {"active": user.active})
            flash(f"{user.username} 已{'启用' if user.active else '停用'}")
    return redirect(url_for("console.users"))


@bp.get("/audit", endpoint="audit")
@requires("admin")
def audit_log() -> str:
    runtime = current_runtime()
    page = page_number()
    action = request.args.get("action") or None
    with runtime.db.session() as session:
        rows, total = AuditLog(session, runtime.clock).page(limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE,
                                                            action=action, username=request.args.get("user") or None)
        return render_template("console/audit.html", entries=rows, total=total, page=page, page_size=AUDIT_PAGE,
                               labels=ACTION_LABELS, action=action or "")

