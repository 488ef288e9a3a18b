"""`GET /healthz`: is the app up and the database reachable."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    runtime = current_runtime()
    try:
        runtime.db.ping()
        database = "ok"
    except SQLAlchemyError as exc:
        logger.error("health check: database unreachable: %s", exc.__class__.__name__)
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify(app="ok", database=database, backend=runtime.db.engine.dialect.name), status
