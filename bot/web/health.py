"""`GET /healthz`: is the app up and the database reachable."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.models import Delivery
from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    runtime = current_runtime()
    unknown = None
    try:
        runtime.db.ping()
        database = "ok"
        with runtime.db.session() as session:
            # Sends whose outcome is unknown (no answer in time, not sent again): worth a look.
            unknown = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "unknown"))
    except SQLAlchemyError as exc:
        logger.error("health check: database unreachable: %s", exc.__class__.__name__)
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify(app="ok", database=database, backend=runtime.db.engine.dialect.name,
                   deliveries_unknown=unknown), status
