"""The bounded Jinja2 sandbox: every render has a time budget and every value a size limit.

A thread cannot be killed, so the bound is cooperative but complete: each primitive a template
can perform is cheap because its inputs and its result are bounded in size (strings and lists
at most `MAX_STRING` / `MAX_ITEMS`, numbers at most `MAX_INT_BITS` bits, no `lipsum`, no `%`
string formatting, no `str.format`), and the deadline is checked between primitives: at every
attribute or item access, call, intercepted operator, filter, loop iteration and output. So a
runaway template (nested loops, recursion, doubling a string) stops within one primitive of its
budget, and no single primitive can allocate much.

Nothing is evaluated at compile time: the optimizer is off and `finalize` needs the context, so
`{{ 'x' * 10**9 }}` costs nothing to check or import; it fails when rendered, in milliseconds.

What a template may print is text: strings, numbers, dates, the documented fields, and lists of
those (joined with "、"). An object, a method or a mapping is refused with a message that names
what to print instead, so no Python repr ever reaches a customer.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from jinja2 import nodes, pass_context, pass_environment
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer
from pydantic import BaseModel

logger = logging.getLogger(__name__)

RENDER_SECONDS = 1.0  # time budget of one render or condition
MAX_OUTPUT = 20_000  # characters one render may produce (a WeChat text is at most 2048 bytes)
MAX_STRING = 20_000  # characters of any string a template builds
MAX_ITEMS = 10_000  # items of any list a template builds, and range()'s length
MAX_INT_BITS = 256  # integers a template computes (2**256 is plenty for prices and counts)

# Methods a template may call on values; everything else (format, format_map, center, replace
# with unbounded growth, encode ...) is refused. Filters cover the rest, within limits.
_STR_METHODS = frozenset({"strip", "lstrip", "rstrip", "upper", "lower", "title", "capitalize",
                          "startswith", "endswith", "split", "isdigit", "isnumeric", "count", "find"})
_MAPPING_METHODS = frozenset({"get", "keys", "values", "items"})
_DATE_ATTRIBUTES = frozenset({"year", "month", "day", "hour", "minute", "second", "weekday", "isoweekday",
                              "isoformat", "date", "strftime"})
_SEQUENCE_METHODS = frozenset({"index", "count"})
# Filters that print object reprs or format without bounds.
_REMOVED_FILTERS = ("pprint", "format", "xmlattr", "forceescape", "safe")
_REMOVED_GLOBALS = ("lipsum", "cycler", "joiner")


class TemplateLimitError(SecurityError):
    """A render exceeded a limit or tried to print something that is not text."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class _Budget:
    """A render's budget is its thread's CPU time: on a busy machine, or while other threads hold
    the GIL, a one-millisecond template can take a wall second, and refusing it then would turn a
    good playbook away (and, remembered as timed out, keep refusing it). The wall clock is read
    first because it is cheap: until it passes the deadline, no CPU time can have either."""

    __slots__ = ("cpu_deadline", "deadline", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.cpu_deadline = time.thread_time() + seconds

    def spent(self) -> bool:
        return time.monotonic() > self.deadline and time.thread_time() > self.cpu_deadline


_budget: ContextVar[_Budget | None] = ContextVar("siyu_render_budget", default=None)


@contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Run the renders inside under one time budget (nested budgets keep the outer deadline)."""
    if _budget.get() is not None:
        yield
        return
    token = _budget.set(_Budget(seconds or RENDER_SECONDS))
    try:
        yield
    finally:
        _budget.reset(token)


def tick() -> None:
    """Raise when the current render is over its time budget."""
    current = _budget.get()
    if current is not None and current.spent():
        raise TemplateLimitError(f"rendering took longer than its budget of {current.seconds:g} s "
                                 "(a loop or range too large?)", timed_out=True)


def bounded(value: Any) -> Any:
    """`value` itself when it is within the size limits; raises otherwise."""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise TemplateLimitError(f"a text of {len(value)} characters is over the limit of {MAX_STRING}")
    elif isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise TemplateLimitError(f"a list of {len(value)} items is over the limit of {MAX_ITEMS}")
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError("a number is too large")
    return value


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse before computing what would be too large to compute."""
    tick()
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if _length(sequence) and isinstance(count, int) and count > 0 \
                    and _length(sequence) * count > (MAX_STRING if isinstance(sequence, str) else MAX_ITEMS):
                raise TemplateLimitError(f"repeating a text or list {count} times is over the size limit")
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and count > MAX_STRING:
                raise TemplateLimitError(f"repeating a text or list {count} times is over the size limit")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * math.log2(abs(left)) > MAX_INT_BITS:
                raise TemplateLimitError("a power is too large")
        if isinstance(right, (int, float)) and abs(right) > 10_000:
            raise TemplateLimitError("a power is too large")
    elif operator == "%" and isinstance(left, str):
        raise TemplateLimitError('"%" formatting is not available in templates; join texts with ~')


def printable(value: Any) -> str:
    """What `{{ value }}` prints; refuses objects, methods and mappings."""
    tick()
    if isinstance(value, Undefined):
        return str(value)  # "" for a missing field; raises for an unknown name or unsafe access
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float, Decimal, date)):
        return str(bounded(value))
    if isinstance(value, (list, tuple, set, frozenset)) and all(
            isinstance(item, (str, int, float, Decimal, date)) and not isinstance(item, bool) for item in value):
        return bounded("、".join(str(item) for item in value))
    if isinstance(value, TextLike):
        return str(value)
    raise TemplateLimitError(f"would print a Python object ({_describe(value)}); print one of its fields "
                             "instead, such as customer.name or event.data.<key>")


class TextLike:
    """Base for context objects that print as text (a guide prints as their name)."""


def _describe(value: Any) -> str:
    if callable(value):
        return f"a method or function {getattr(value, '__name__', '')}".rstrip()
    if isinstance(value, Mapping):
        return "a mapping; print one of its keys"
    return type(value).__name__


@pass_context
def _finalize(context: Context, value: Any) -> str:
    # Needing the context stops Jinja from folding constant output at compile time.
    return printable(value)


def _bounded_loop(iterable: Any) -> Iterator[Any]:
    """What every `{% for %}` iterates: the original, with the budget checked at each item."""
    if isinstance(iterable, Undefined):
        iterable = iter(iterable)
    for count, item in enumerate(iterable):
        if count >= MAX_ITEMS:
            raise TemplateLimitError(f"a loop ran over {MAX_ITEMS} times")
        tick()
        yield item


def _bounded_concat(*parts: Any) -> str:
    """`a ~ b`: each part printable, the result within the size limit."""
    tick()
    pieces = [printable(part) for part in parts]
    if sum(map(len, pieces)) > MAX_STRING:
        raise TemplateLimitError(f"a text over the limit of {MAX_STRING} characters")
    return "".join(pieces)


def _bounded_range(*args: int) -> range:
    tick()
    values = range(*args)
    if len(values) > MAX_ITEMS:
        raise TemplateLimitError(f"range() of {len(values)} numbers is over the limit of {MAX_ITEMS}")
    return values


class _BoundLoops(NodeTransformer):
    """Route every for-loop and every `~` through the bounded helpers (rewritten before code
    generation, so templates cannot avoid them)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)  # type: ignore[assignment]
        node.iter = nodes.Call(nodes.Name("_siyu_loop", "load"), [node.iter], [], None, None)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)  # type: ignore[assignment]
        return nodes.Call(nodes.Name("_siyu_concat", "load"), list(node.nodes), [], None, None)


def _safe_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter with its numeric arguments and its result within the limits."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tick()
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, int) and not isinstance(argument, bool) and abs(argument) > MAX_STRING:
                raise TemplateLimitError(f"filter {name} got a number over the limit of {MAX_STRING}")
        return bounded(function(*args, **kwargs))

    return wrapper


def _replace(text: Any, old: str, new: str, count: int | None = None) -> str:
    """`replace`, refused before it would build a text over the limit."""
    text, old, new = printable(text), printable(old), printable(new)
    growth = (text.count(old) if old else len(text) + 1) * max(len(new) - len(old), 0)
    if len(text) + growth > MAX_STRING:
        raise TemplateLimitError(f"replace would build a text over the limit of {MAX_STRING} characters")
    return text.replace(old, new, -1 if count is None else count)


@pass_environment
def _join(environment: Any, value: Any, d: str = "", attribute: str | int | None = None) -> str:
    """`join`: every item printable, the result within the limit."""
    pieces = []
    for item in _bounded_loop(value):
        if attribute is not None:
            item = environment.getitem(item, attribute)
        pieces.append(printable(item))
    return _bounded_concat(printable(d).join(pieces))


def _string(value: Any) -> str:
    return printable(value)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with time and size limits and a whitelist of what may be read."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(optimized=False, finalize=_finalize, **options)
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.globals["range"] = _bounded_range
        self.globals["_siyu_loop"] = _bounded_loop
        self.globals["_siyu_concat"] = _bounded_concat
        self.filters.update(replace=_replace, join=_join, string=_string)
        self.filters = {name: _safe_filter(name, function) for name, function in self.filters.items()}

    def add_filter(self, name: str, function: Callable[..., Any]) -> None:
        self.filters[name] = _safe_filter(name, function)

    def _generate(self, source: Any, name: str | None, filename: str | None, defer_init: bool = False) -> str:
        return super()._generate(_BoundLoops().visit(source), name, filename, defer_init)

    # -- what may be read ------------------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, (Undefined, Namespace, LoopContext, Cycler, Joiner)):
            return True
        if isinstance(obj, str):
            return attr in _STR_METHODS
        if isinstance(obj, Mapping):
            return attr in _MAPPING_METHODS
        if isinstance(obj, date):
            return attr in _DATE_ATTRIBUTES
        if isinstance(obj, (list, tuple)):
            return attr in _SEQUENCE_METHODS
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return attr in {item.name for item in dataclasses.fields(obj)}
        if isinstance(obj, BaseModel):
            return attr in type(obj).model_fields
        return False

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"{attribute!r} of a {type(obj).__name__} cannot be used in a template")

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        if isinstance(obj, Mapping) and attribute not in _MAPPING_METHODS:
            try:
                return bounded(obj[attribute])
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        if self.is_safe_attribute(obj, attribute, value):
            return value
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        try:
            return obj[argument]
        except (TypeError, LookupError):
            if isinstance(argument, str):
                return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return bounded(self.binop_table[operator](left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        tick()
        return bounded(super().call(__context, __obj, *args, **kwargs))
