"""Prometheus metrics: small functions the rest of the code calls, one registry view for /metrics.

Two kinds of numbers, each where it is true:
- events (callbacks, sends, token refreshes, errcodes, job runs) are counters and histograms in
  the process that saw them. Under gunicorn (several processes) prometheus-client's multiprocess
  mode adds them up: set PROMETHEUS_MULTIPROC_DIR before the process starts (deploy/gunicorn.conf.py
  does) and every process writes its samples to files there that /metrics reads. `siyu serve`
  makes such a directory for itself and its processing child (bot/cli/child.share_metrics).
- state (deliveries due or claimed, callbacks and tasks waiting, live schedulers) is read from the
  database at scrape time: it is shared by every process on every machine, so it is counted once
  and survives restarts, where a per-process gauge would be counted twice or lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.db import Database

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600)
LATENESS_BUCKETS = (1, 5, 15, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)
MAX_LABEL = 64
# Callback statuses short of "processed" (an IN list walks the status index; != would scan).
UNPROCESSED = ("received", "failed", "dead")

CALLBACKS_RECEIVED = Counter("siyu_callbacks_received_total", "WeChat callbacks that passed the signature check",
                             ["channel", "kind"])
CALLBACKS_ACKED = Counter("siyu_callbacks_acked_total", "Callbacks answered to WeChat after being stored",
                          ["channel", "kind"])
CALLBACKS_PROCESSED = Counter("siyu_callbacks_processed_total", "Callbacks routed through the handlers",
                              ["channel", "kind", "outcome"])
ACK_SECONDS = Histogram("siyu_callback_ack_seconds", "From the request's start to the answer WeChat waits for",
                        ["channel"], buckets=LATENCY_BUCKETS)
PROCESSING_LAG = Histogram("siyu_callback_processing_lag_seconds", "From storing a callback to processing it",
                           ["channel"], buckets=LAG_BUCKETS)
DELIVERIES_CLAIMED = Counter("siyu_outbox_claimed_total", "Playbook deliveries claimed by a dispatcher")
DELIVERIES_DONE = Counter("siyu_outbox_deliveries_total", "Playbook deliveries attempted, by outcome",
                          ["channel", "status", "errcode"])
DISPATCH_LATENESS = Histogram("siyu_dispatch_lateness_seconds", "How long after its due time a delivery went out",
                              buckets=LATENESS_BUCKETS)
MESSAGES = Counter("siyu_messages_total", "Messages sent to WeChat (every channel), by result",
                   ["channel", "status", "errcode"])
TOKEN_REFRESHES = Counter("siyu_token_refreshes_total", "Access tokens fetched from WeChat",
                          ["realm", "outcome"])
WECHAT_ERRORS = Counter("siyu_wechat_errors_total", "WeChat API calls refused or failed, by API and errcode",
                        ["api", "errcode"])
JOB_RUNS = Counter("siyu_scheduler_job_runs_total", "Scheduler job runs", ["job", "outcome"])
JOB_SECONDS = Histogram("siyu_scheduler_job_seconds", "Scheduler job run time", ["job"], buckets=LAG_BUCKETS)


def _label(value: object) -> str:
    return str(value if value is not None else "")[:MAX_LABEL]


def _errcode(errcode: int | str | None) -> str:
    return "none" if errcode is None else str(errcode)


# The webhook's children, bound once per label set: `.labels()` validates and locks on every call,
# a few percent of an ack. Channels and kinds are few; past MAX_BOUND new sets are not kept.
MAX_BOUND = 512
_bound: dict[tuple[object, ...], Any] = {}


def _child(metric: Counter | Histogram, *values: str) -> Any:
    key = (metric, *values)
    child = _bound.get(key)
    if child is None:
        child = metric.labels(*(_label(value) for value in values))
        if len(_bound) < MAX_BOUND:
            _bound[key] = child
    return child


def callback_received(channel: str, kind: str) -> None:
    _child(CALLBACKS_RECEIVED, channel, kind).inc()


def callback_acked(channel: str, kind: str, seconds: float) -> None:
    _child(CALLBACKS_ACKED, channel, kind).inc()
    _child(ACK_SECONDS, channel).observe(max(seconds, 0.0))


def callback_processed(channel: str, kind: str, lag: timedelta | None, ok: bool = True) -> None:
    CALLBACKS_PROCESSED.labels(_label(channel), _label(kind), "ok" if ok else "failed").inc()
    if lag is not None:
        PROCESSING_LAG.labels(_label(channel)).observe(max(lag.total_seconds(), 0.0))


def deliveries_claimed(count: int) -> None:
    if count:
        DELIVERIES_CLAIMED.inc(count)


def delivery_done(channel: str | None, status: str, errcode: int | None) -> None:
    """A playbook delivery's send attempt ended: sent, failed, or scheduled again (retry)."""
    DELIVERIES_DONE.labels(_label(channel or "none"), _label(status), _errcode(errcode)).inc()


def dispatch_lateness(due_at: datetime, sent_at: datetime) -> None:
    DISPATCH_LATENESS.observe(max((sent_at - due_at).total_seconds(), 0.0))


def message_sent(channel: str, ok: bool, errcode: int | None) -> None:
    MESSAGES.labels(_label(channel), "sent" if ok else "failed", _errcode(None if ok else errcode)).inc()


def token_refreshed(realm: str, ok: bool = True) -> None:
    TOKEN_REFRESHES.labels(_label(realm), "ok" if ok else "failed").inc()


def wechat_error(errcode: int | str | None, api: str = "") -> None:
    """A WeChat call refused (errcode), answered with an HTTP error (`http_503`) or lost (`network`)."""
    WECHAT_ERRORS.labels(_label(api or "unknown"), _errcode(errcode)).inc()


def job_run(job: str, ok: bool, seconds: float) -> None:
    JOB_RUNS.labels(_label(job), "ok" if ok else "failed").inc()
    JOB_SECONDS.labels(_label(job)).observe(max(seconds, 0.0))


# -- the scrape -------------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    """The directory prometheus-client shares between processes, when multiprocess mode is on."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


class _ThisProcess:
    """The default registry's metrics (this process only), for single-process servers."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class DatabaseCollector:
    """Gauges computed from the database when Prometheus scrapes."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._collect()
        except SQLAlchemyError as exc:
            logger.error("metrics: database unreachable: %s", exc.__class__.__name__)
            up = GaugeMetricFamily("siyu_database_up", "Whether the metrics scrape could read the database")
            up.add_metric([], 0)
            yield up

    def _collect(self) -> Iterator[Metric]:
        from bot.models import Callback, Delivery, Task
        from bot.ops.heartbeat import live_workers

        now = self.clock.now()
        with self.db.session() as session:
            due = session.execute(
                select(Delivery.channel, func.count()).where(Delivery.status == "scheduled", Delivery.due_at <= now)
                .group_by(Delivery.channel)).all()
            claimed = session.execute(
                select(Delivery.channel, func.count()).where(Delivery.status == "claimed")
                .group_by(Delivery.channel)).all()
            oldest_due = session.scalar(
                select(func.min(Delivery.due_at)).where(Delivery.status == "scheduled", Delivery.due_at <= now))
            waiting = session.execute(
                select(Callback.status, func.count()).where(Callback.status.in_(UNPROCESSED))
                .group_by(Callback.status)).all()
            tasks = session.scalar(select(func.count()).select_from(Task).where(
                Task.status == "pending", Task.run_at <= now))
            workers = live_workers(session)
        up = GaugeMetricFamily("siyu_database_up", "Whether the metrics scrape could read the database")
        up.add_metric([], 1)
        yield up
        outbox = GaugeMetricFamily("siyu_outbox", "Playbook deliveries due now or claimed by a dispatcher",
                                   labels=["state", "channel"])
        for state, rows in (("due", due), ("claimed", claimed)):
            for channel, count in rows:
                outbox.add_metric([state, channel or "none"], count)
        yield outbox
        oldest = GaugeMetricFamily("siyu_outbox_oldest_due_seconds", "Age of the oldest delivery waiting to be sent")
        oldest.add_metric([], (now - oldest_due).total_seconds() if oldest_due else 0.0)
        yield oldest
        backlog = GaugeMetricFamily("siyu_callbacks_unprocessed", "Stored callbacks not processed, by status",
                                    labels=["status"])
        for status, count in waiting:
            backlog.add_metric([status], count)
        yield backlog
        pending = GaugeMetricFamily("siyu_tasks_due", "Follow-up tasks due and not yet run")
        pending.add_metric([], tasks or 0)
        yield pending
        alive = GaugeMetricFamily("siyu_scheduler_workers", "Schedulers with a recent heartbeat")
        alive.add_metric([], len(workers))
        yield alive


def events_registry() -> CollectorRegistry:
    """The event counters of this process, or of every process sharing the multiprocess directory."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())  # type: ignore[arg-type]
    return registry


def render(db: Database, clock: Clock) -> tuple[bytes, str]:
    """The /metrics body: this host's processes' events plus the database's state."""
    registry = events_registry()
    registry.register(DatabaseCollector(db, clock))  # type: ignore[arg-type]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve_events(bind: str) -> None:
    """Serve this process's counters on host:port in a background thread (`siyu worker`)."""
    from prometheus_client import start_http_server

    host, _, port = bind.rpartition(":")
    start_http_server(int(port), addr=host.strip("[]"), registry=events_registry())
    logger.info("metrics on http://%s/metrics", bind)
