"""`GET /metrics` for Prometheus, behind a bearer token or an address allow-list from [metrics]."""

from __future__ import annotations

import hmac
import logging
import time
from ipaddress import ip_address, ip_network

from flask import Blueprint, Flask, Response, abort, g, request

from bot.config import MetricsConfig
from bot.ops.metrics import render
from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)


def allowed(config: MetricsConfig, authorization: str, remote_addr: str | None) -> bool:
    """A configured token is required from everywhere; without one, the address must be listed."""
    token = config.token.get_secret_value()
    if token:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and bool(given) and hmac.compare_digest(given.strip(), token)
    try:
        address = ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in ip_network(item, strict=False) for item in config.allow_from)


def init_app(app: Flask) -> None:
    """Time every request from its start (the ack latency WeChat sees) and serve /metrics."""
    app.before_request(_start_timer)
    app.register_blueprint(bp)


def _start_timer() -> None:
    g.siyu_started = time.perf_counter()


def request_seconds() -> float:
    """Seconds since this request started (0 outside a timed request)."""
    started = g.get("siyu_started")
    return time.perf_counter() - started if started is not None else 0.0


@bp.get("/metrics")
def metrics() -> Response:
    runtime = current_runtime()
    config = runtime.config.metrics
    if not config.enabled:
        abort(404)
    if not allowed(config, request.headers.get("Authorization", ""), request.remote_addr):
        response = Response("metrics need the bearer token from [metrics] token\n", status=401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="siyu-metrics"'
        return response
    body, content_type = render(runtime.db, runtime.clock)
    return Response(body, content_type=content_type)
