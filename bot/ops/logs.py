"""Structured logs: request and callback ids on every line, JSON when configured, secrets never.

The ids live in context variables: the web request sets `request_id`, the inbox sets
`callback_id` while it processes a callback, and a task queued meanwhile carries both to the
thread that runs it. Redaction happens twice: when a record is made (so every handler, pytest's
and gunicorn's included, gets the cleaned message) and on the formatted line (tracebacks too).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # `siyu tag` configures logging without loading the configuration module
    from bot.config import Config

request_id: ContextVar[str | None] = ContextVar("siyu_request_id", default=None)
callback_id: ContextVar[int | None] = ContextVar("siyu_callback_id", default=None)
task_id: ContextVar[int | None] = ContextVar("siyu_task_id", default=None)

MASK = "***"
# Query parameters and JSON fields that carry credentials whatever their value.
_SECRET_FIELDS = re.compile(
    r"""(?P<key>\b(?:access_token|corpsecret|secret|suite_access_token|provider_access_token|ticket|jsapi_ticket|
    encoding_aes_key|EncodingAESKey|password|token)\b["']?\s*[=:]\s*["']?)(?P<value>[^&\s"',;}]+)""",
    re.IGNORECASE | re.VERBOSE)
_AUTHORIZATION = re.compile(r"(?P<key>\bBearer\s+)(?P<value>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<key>://[^/:@\s]+:)(?P<value>[^@\s/]+)(?=@)")


class Redactor:
    """Masks known secret values and credential-looking fields in any text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str) -> None:
        # Short values (a test's "t", an empty string) would mask ordinary words.
        with self._lock:
            self._secrets.update(v for v in values if v and len(v) >= 6)

    def add_config(self, config: Config) -> None:
        """Every secret the configuration holds, and the database password."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        values = [config.wecom.secret, config.wecom.token, config.wecom.encoding_aes_key,
                  config.mp.secret, config.mp.token, config.mp.encoding_aes_key,
                  config.metrics.token, *config.api.tokens]
        console = getattr(config, "console", None)
        if console is not None:
            values.append(console.secret_key)
        self.add(*(value.get_secret_value() for value in values))
        with contextlib.suppress(ArgumentError, ValueError):
            self.add(make_url(config.database.url).password or "")

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in (_SECRET_FIELDS, _AUTHORIZATION, _URL_PASSWORD):
            text = pattern.sub(lambda m: m.group("key") + MASK, text)
        return text


redact = Redactor()


# callback id -> the id of the request that stored it, for the thread that processes it later in
# this process (a batch processor, a task); another process logs the callback id alone.
_REMEMBERED = 10_000
_request_of: OrderedDict[int, str] = OrderedDict()
_request_of_lock = threading.Lock()


def remember_request(callback: int) -> None:
    """Note that the current request stored `callback`, so its later processing logs the request id."""
    rid = request_id.get()
    if rid is None:
        return
    with _request_of_lock:
        _request_of[callback] = rid
        while len(_request_of) > _REMEMBERED:
            _request_of.popitem(last=False)


def current_ids() -> dict[str, Any]:
    """The ids bound in this context (for a task queued now, or a log line)."""
    ids = {"request_id": request_id.get(), "callback_id": callback_id.get(), "task_id": task_id.get()}
    return {name: value for name, value in ids.items() if value is not None}


@contextlib.contextmanager
def bound(**ids: Any) -> Iterator[None]:
    """Bind `request_id`, `callback_id` or `task_id` for the lines logged inside the block."""
    variables = {"request_id": request_id, "callback_id": callback_id, "task_id": task_id}
    if ids.get("callback_id") is not None and "request_id" not in ids and request_id.get() is None:
        with _request_of_lock:
            remembered = _request_of.get(ids["callback_id"])
        if remembered is not None:
            ids["request_id"] = remembered
    tokens = [(variables[name], variables[name].set(value)) for name, value in ids.items() if name in variables]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


class ContextFilter(logging.Filter):
    """Puts the bound ids on each record (None when unbound), for formatters and handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.callback_id = callback_id.get()
        record.task_id = task_id.get()
        return True


def _ids_text(record: logging.LogRecord) -> str:
    parts = [f"{name}={getattr(record, name)}" for name in ("request_id", "callback_id", "task_id")
             if getattr(record, name, None) is not None]
    return f" [{' '.join(parts)}]" if parts else ""


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.ids = _ids_text(record)
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "callback_id", "task_id"):
            if getattr(record, name, None) is not None:
                line[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return redact(json.dumps(line, ensure_ascii=False, default=str))


_previous_factory = logging.getLogRecordFactory()
_installed = False


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to logging's own error report
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    return record


def install_redaction(config: Config | None = None) -> None:
    """Redact every log record this process makes from now on, whatever handler prints it."""
    global _installed
    if config is not None:
        redact.add_config(config)
    if not _installed:
        logging.setLogRecordFactory(_redacting_factory)
        _installed = True


class _SiyuHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler configure_logging installed (a second call replaces it).

    Without an explicit stream it writes to whatever `sys.stderr` is at the time of the record, so
    a caller that swaps stderr (a test runner's capture) never leaves it writing to a closed file.
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._follow_stderr = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow_stderr:
            self.stream = sys.stderr
        super().emit(record)


def configure_logging(config: Config | None = None, *, level: str | int | None = None, json_format: bool | None = None,
                      stream: IO[str] | None = None, quiet: Iterable[str] = ()) -> logging.Handler:
    """One handler on the root logger: ids on every line, text or JSON, secrets masked."""
    install_redaction(config)
    if json_format is None:
        json_format = config is not None and config.logging.format == "json"
    if level is None:
        level = config.logging.level if config is not None else "INFO"
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _SiyuHandler)]:
        root.removeHandler(old)
    handler = _SiyuHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def task_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A task's payload with the ids of the work that queued it (under `_log`)."""
    ids = current_ids()
    return {**payload, "_log": ids} if ids and "_log" not in payload else dict(payload)


def task_ids(payload: Mapping[str, Any] | None, task: int) -> dict[str, Any]:
    """The ids to bind while a task runs: its own and those of the work that queued it."""
    queued_by = payload.get("_log") if isinstance(payload, Mapping) else None
    ids = {k: v for k, v in (queued_by or {}).items() if k in ("request_id", "callback_id")}
    return {**ids, "task_id": task}
