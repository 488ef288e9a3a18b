"""The Flask application factory: `create_app(config)` wires everything, nothing is built at import."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from bot.clock import Clock
from bot.config import Config, ConfigError, load_config
from bot.inbound.routing import Router, load_routers
from bot.ops.logs import configure_logging, install_redaction
from bot.assembly import build_runtime
from bot.runtime import Runtime
from bot.web.sessions import ConsoleSessions

logger = logging.getLogger(__name__)


def create_app(
    config: Config | None = None,
    routers: Iterable[Router] | None = None,
    clock: Clock | None = None,
    runtime: Runtime | None = None,
) -> Flask:
    """Build the web app. With no arguments (gunicorn), config comes from SIYU_CONFIG / the env."""
    if runtime is None:
        gunicorn = config is None
        if config is None:  # gunicorn: nothing configured logging yet
            config = load_config()
            configure_logging(config)
        routers = routers if routers is not None else load_routers(config.bot.handlers)
        try:
            runtime = build_runtime(config, routers, clock)
        except ConfigError as error:
            if gunicorn:  # one line before gunicorn's traceback and its "Worker failed to boot"
                logger.critical("siyu: configuration error: %s", error)
            raise
    app = Flask(__name__)
    app.session_interface = ConsoleSessions()
    app.config["MAX_CONTENT_LENGTH"] = runtime.config.webhook.max_body_bytes
    app.extensions["siyu"] = runtime
    install_redaction(runtime.config)

    from bot import console, timetravel
    from bot.guides import sidebar
    from bot.ops import views as ops_views
    from bot.web import api, health, links, webhook

    app.register_blueprint(webhook.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(links.bp)
    ops_views.init_app(app)
    console.init_app(app, runtime)
    timetravel.init_app(app, runtime)
    app.register_blueprint(sidebar.bp)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _http_error(exc: HTTPException) -> Response | tuple[Response, int]:
    if request.blueprint == "console":
        from bot.console.views.base import error_page

        return error_page(exc)
    return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), exc.code or 500
