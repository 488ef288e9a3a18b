"""`GET /metrics` for Prometheus, behind a bearer token or an address allow-list from [metrics]."""

from __future__ import annotations

import hmac
import logging
import re
import os
import time
from ipaddress import ip_address, ip_network

from flask import Blueprint, Flask, Response, abort, g, request

from bot.config import MetricsConfig
from bot.ops import logs
from bot.ops.metrics import render
from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)

REQUEST_ID_HEADER = "X-Request-Id"
_GOOD_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


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
    """Give every request an id (logs, X-Request-Id), time it (ack latency), and serve /metrics."""
    app.before_request(_start_request)
    app.after_request(_tag_response)
    app.teardown_request(_end_request)
    app.register_blueprint(bp)


def _start_request() -> None:
    g.siyu_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")  # a proxy's id, when it looks like one
    g.siyu_request_id = given if given and _GOOD_REQUEST_ID.match(given) else os.urandom(8).hex()
    # Reset at teardown: server threads are reused, and the ids must not leak into the next request.
    g.siyu_log_tokens = (logs.request_id.set(g.siyu_request_id), logs.callback_id.set(None))


def _tag_response(response: Response) -> Response:
    if g.get("siyu_request_id"):
        response.headers[REQUEST_ID_HEADER] = g.siyu_request_id
    return response


def _end_request(_exc: BaseException | None) -> None:
    tokens = g.pop("siyu_log_tokens", None)
    if tokens is not None:
        logs.callback_id.reset(tokens[1])
        logs.request_id.reset(tokens[0])


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
