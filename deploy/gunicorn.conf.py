"""gunicorn settings for Siyu's web app.

    gunicorn -c deploy/gunicorn.conf.py "bot.app:create_app()"

Configuration comes from SIYU_CONFIG / SIYU_SECTION__KEY variables (see config.example.toml);
the knobs here come from SIYU_WEB_* variables so a compose file or unit can size them.
"""

import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

bind = os.environ.get("SIYU_WEB_BIND", "0.0.0.0:8000")
# Threads, not many processes: a request mostly waits on the database. WeChat needs an answer
# within 5 s; each process holds its own database pool (5 connections + 10 overflow).
workers = int(os.environ.get("SIYU_WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("SIYU_WEB_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Larger pushes get 413 from the app; this only bounds the request line and headers.
limit_request_line = 8190

accesslog = "-"
errorlog = "-"
# The request id the app put on the response, to find the app's log lines of one request.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


class _AccessLog(Logger):
    """gunicorn's logger without a line for each WeChat push acked (2xx on /wechat/...): hundreds
    a second under load, each a third of what gunicorn itself spends on a request (bench/load.py:
    0.33-0.46 vs 0.50-0.56 CPU ms a request with a null app); /metrics counts them
    (siyu_callbacks_acked_total, siyu_callback_ack_seconds). Refused and failed pushes, and every
    other request, are logged as before. SIYU_WEB_LOG_ACKS=1 logs the acks too."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if (not _LOG_ACKS and 200 <= (resp.status_code or 0) < 300
                and str(environ.get("PATH_INFO", "")).startswith("/wechat/")):
            return
        super().access(resp, req, environ, request_time)


_LOG_ACKS = os.environ.get("SIYU_WEB_LOG_ACKS", "") == "1"
logger_class = _AccessLog

# The web workers only ack: `siyu worker` routes the stored pushes, so routing never holds a web
# worker's GIL while it acks (load.py, PostgreSQL, 200/s at load 10: ack p50 463 -> 33 ms).
os.environ.setdefault("SIYU_INBOUND__PROCESSING", "worker")

# /metrics adds up every worker process: prometheus-client's multiprocess mode keeps each
# process's samples in files here. The directory must be empty when gunicorn starts.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/siyu-metrics")


def on_starting(server: object) -> None:
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def post_worker_init(worker: object) -> None:
    from bot.ops.heap import freeze_start_up_heap

    freeze_start_up_heap()  # the app is loaded: its start-up heap is never walked again (bot.ops.heap)


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
