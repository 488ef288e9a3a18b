"""Request input that every database can store: a bad value is a 4xx naming its field, never a 500.

The rules are the intersection of what SQLite and PostgreSQL accept: ids fit a 32-bit integer
column, text has no NUL and no lone surrogate, JSON has no NaN or Infinity, integers in JSON stay
within what JSON consumers represent exactly, and nesting is shallow.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

MAX_DB_ID = 2**31 - 1  # primary keys are INTEGER (int4 on PostgreSQL)
MAX_JSON_INT = 2**53 - 1  # exact in every JSON consumer (JavaScript's Number.MAX_SAFE_INTEGER)
MAX_JSON_DEPTH = 8
MAX_JSON_BYTES = 64 * 1024
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

_DIGITS = re.compile(r"[0-9]{1,12}")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class InputError(Exception):
    """A request value that cannot be accepted; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    if "\x00" in value:
        return "must not contain NUL characters"
    if _LONE_SURROGATE.search(value):
        return "is not valid Unicode text"
    return None


def check_text(value: str, field: str, max_length: int | None = None) -> str:
    problem = text_problem(value)
    if problem is None and max_length is not None and len(value) > max_length:
        problem = f"must be at most {max_length} characters"
    if problem:
        raise InputError(f"{field}: {problem}", field)
    return value


def db_id(raw: str | int, field: str) -> int:
    """A database id from a path or query value: ASCII digits within the column's range."""
    text = str(raw)
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_DB_ID:
        raise InputError(f"{field}: expected an id between 1 and {MAX_DB_ID}", field)
    return int(text)


def int_arg(raw: str | None, field: str, default: int, maximum: int = MAX_DB_ID) -> int:
    """A non-negative whole number from the query string, at most `maximum`."""
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):
        raise InputError(f"{field}: expected a whole number between 0 and {maximum}", field)
    value = int(raw)
    if value > maximum:
        raise InputError(f"{field}: must be between 0 and {maximum}", field)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON can carry")


def parse_json_object(data: bytes) -> dict[str, Any]:
    """The request body as a JSON object, checked against `check_json`."""
    if len(data) > MAX_JSON_BYTES:
        raise InputError(f"body: at most {MAX_JSON_BYTES} bytes of JSON", None, 413)
    try:
        payload = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise InputError("body must be a JSON object (Content-Type: application/json)") from None
    if not isinstance(payload, dict):
        raise InputError("body must be a JSON object (Content-Type: application/json)")
    check_json(payload, "")
    return payload


def check_json(value: Any, path: str, depth: int = 0) -> None:
    """Reject what one of the databases cannot store or a reader cannot represent exactly."""
    field = path or "body"
    if depth > MAX_JSON_DEPTH:
        raise InputError(f"{field}: nested deeper than {MAX_JSON_DEPTH} levels", field)
    if isinstance(value, dict):
        for key, item in value.items():
            check_text(key, f"{field} key")
            check_json(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{field}[{index}]", depth + 1)
    elif isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_JSON_INT:
            raise InputError(f"{field}: integers must lie within ±{MAX_JSON_INT}", field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{field}: must be a finite number", field)


def moment_problem(value: datetime) -> str | None:
    """Why both databases cannot store `value`, or None: it must be aware and lie in 1970-2100."""
    if value.tzinfo is None:
        return "needs a time zone, e.g. 2026-11-20T10:00:00+08:00"
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        return "must lie between 1970 and 2100"
    return None if EARLIEST <= utc < LATEST else "must lie between 1970 and 2100"


def validated(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    """`model` built from `payload`; the first validation error becomes an InputError naming its field."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(f"{field}: {message}" if field else message, field) from None
