"""The operator console (运营后台): login, roles and audit, customer pages, analytics, playbook tools.

Views are thin over services (`accounts`, `directory`, `audit`, bot.analytics); `init_app` attaches it.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)


def init_app(app: Flask, runtime: Runtime) -> None:
    """Sessions, CSRF and login for the console's blueprint; other blueprints are untouched."""
    settings = runtime.config.console
    secret = settings.secret_key.get_secret_value()
    if not secret:
        logger.warning("[console] secret_key is not set: using a random key, so console sessions end on restart "
                       "and are not shared between web processes")
        secret = secrets.token_urlsafe(48)
    app.secret_key = secret
    app.config.update(
        SESSION_COOKIE_NAME="siyu_console",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        # Webhooks and the bearer-token API carry no cookies; the console's blueprint checks CSRF itself.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "console.login"
    login.login_message = "请先登录"
    login.session_protection = "strong"

    from bot.console import views
    from bot.console.accounts import AccountService

    @login.user_loader
    def _load(user_id: str):  # type: ignore[no-untyped-def]
        if not user_id.isdigit():
            return None
        with runtime.db.session() as session:
            return AccountService(session, runtime.clock, settings).load(int(user_id))

    app.register_blueprint(views.bp)
