"""The one Jinja2 sandbox that playbook texts and conditions run in.

Operators write these templates, so they run in an immutable sandbox. Missing fields of a known
object render as "" (a customer without a nickname still gets a message), but an unknown
top-level name is a typo: it is rejected when the playbook is validated and fails loudly at
render time instead of silently sending a broken text.

Context names available to every template and condition (see `template_context`):
`customer`, `event`, `link`, `step`, `playbook`, `today` (local date), `now` (aware datetime),
the global function `is_anniversary(day, today)` and the filter `datetime_cn`
(`{{ event.data.class_start | datetime_cn }}` → "3月12日 19:00", in the zone of `now`).
"""

from __future__ import annotations

import difflib
import logging
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.utils import missing

from bot.playbooks.sandbox import MAX_OUTPUT, BoundedEnvironment, TemplateLimitError, TextLike, budget
from bot.playbooks.timing import DEFAULT_TZ, attribute_value

logger = logging.getLogger(__name__)

CONTEXT_NAMES = frozenset({"customer", "event", "link", "step", "playbook", "today", "now"})


class TemplateCompileError(ValueError):
    """A template or condition that cannot be compiled; a ValueError so pydantic reports it."""


class RenderError(Exception):
    """A template or condition failed while rendering for a particular customer."""


class RenderRefused(RenderError):
    """The sandbox refused a render: over a limit, unsafe access, or a Python object printed."""


class _FieldUndefined(ChainableUndefined):
    """Lenient for missing fields of known objects, strict for unknown top-level names."""

    __slots__ = ()

    def _is_unknown_name(self) -> bool:
        return self._undefined_obj is missing

    def __str__(self) -> str:
        if self._is_unknown_name() or self._undefined_exception is SecurityError:
            self._fail_with_undefined_error()
        return ""

    def __bool__(self) -> bool:
        if self._is_unknown_name():
            self._fail_with_undefined_error()
        return False

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self._is_unknown_name():
            self._fail_with_undefined_error()
        return iter(())

    def __len__(self) -> int:
        if self._is_unknown_name():
            self._fail_with_undefined_error()
        return 0

    __hash__ = ChainableUndefined.__hash__


def is_anniversary(day: date | datetime | None, today: date) -> bool:
    """True when `day` (a birthday, a join date) recurs on `today`; 29 Feb counts on 28 Feb."""
    if not isinstance(day, date) or isinstance(day, ChainableUndefined):
        return False
    if isinstance(today, datetime):
        today = today.date()
    if (day.month, day.day) == (today.month, today.day):
        return True
    leap_day_in_common_year = (day.month, day.day) == (2, 29) and (today.month, today.day) == (2, 28)
    if leap_day_in_common_year:
        try:
            today.replace(day=29)
        except ValueError:
            return True
    return False


@pass_context
def datetime_cn(context: Context, value: object) -> str:
    """Format a date attribute (datetime, date or ISO text) the way Chinese messages say it."""
    now = context.get("now")
    tz = now.tzinfo if isinstance(now, datetime) and now.tzinfo else DEFAULT_TZ
    moment = attribute_value(value, tz)
    if isinstance(moment, datetime):
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
    if isinstance(moment, date):
        return f"{moment.month}月{moment.day}日"
    return "" if value is None or isinstance(value, ChainableUndefined) else str(value)


@lru_cache(maxsize=1)
def environment() -> BoundedEnvironment:
    """The shared sandbox (built on first use, never at import)."""
    env = BoundedEnvironment(undefined=_FieldUndefined, autoescape=False)
    env.globals["is_anniversary"] = is_anniversary
    env.add_filter("datetime_cn", datetime_cn)
    return env


def _check_names(source: str, what: str) -> None:
    env = environment()
    tree = env.parse(source)
    private = sorted({node.attr for node in tree.find_all(nodes.Getattr) if node.attr.startswith("_")})
    if private:
        raise TemplateCompileError(f"{what} reads {', '.join(private)}: names starting with _ are not available")
    unknown = meta.find_undeclared_variables(tree) - CONTEXT_NAMES - set(env.globals)
    if unknown:
        known = sorted(CONTEXT_NAMES | {"is_anniversary", "range", "namespace", "dict"})
        hints = "".join(_did_you_mean(name, known) for name in sorted(unknown))
        raise TemplateCompileError(
            f"{what} uses unknown name {', '.join(sorted(unknown))}{hints}; known names: {', '.join(known)}")


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _syntax_message(error: TemplateSyntaxError, what: str) -> str:
    message = error.message or ""
    unknown = re.match(r"No (filter|test) named '([^']+)'", message)
    if unknown:
        env = environment()
        choices = sorted(env.filters if unknown.group(1) == "filter" else env.tests)
        message = f"no {unknown.group(1)} named {unknown.group(2)!r}{_did_you_mean(unknown.group(2), choices)}"
    return f"{what} syntax error on its line {error.lineno}: {message}"


@lru_cache(maxsize=2048)
def compile_template(text: str) -> Template:
    """Compile a message template, checking syntax and context names (cached by source)."""
    try:
        template = environment().from_string(text)
        _check_names(text, "template")
    except TemplateSyntaxError as error:
        raise TemplateCompileError(_syntax_message(error, "template")) from error
    return template


@dataclass(frozen=True)
class Condition:
    """A compiled boolean expression such as `'VIP' not in customer.tags`."""

    source: str
    _expression: Callable[..., Any] = field(repr=False, compare=False)

    def __call__(self, **context: Any) -> bool:
        return evaluate(self, **context)


@lru_cache(maxsize=2048)
def compile_condition(expr: str) -> Condition:
    """Compile a condition expression, checking syntax and context names (cached by source)."""
    if not expr.strip():
        raise TemplateCompileError("condition is empty")
    try:
        expression = environment().compile_expression(expr, undefined_to_none=False)
        # compile_expression accepted exactly one expression, so this wrapper cannot be escaped.
        _check_names("{{ (" + expr + ") }}", "condition")
    except TemplateSyntaxError as error:
        raise TemplateCompileError(_syntax_message(error, "condition")) from error
    return Condition(expr, expression)


# Errors a template can raise from operator-written expressions (bad arithmetic, wrong types,
# recursion without end).
_RUNTIME_ERRORS = (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError,
                   MemoryError)
# Templates and conditions that ran out of time once fail at once afterwards: a runaway template
# forced into the database costs one budget per worker, not one per delivery.
_TIMED_OUT: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()


def _failure(error: BaseException, what: str) -> RenderError:
    if isinstance(error, (SecurityError, RecursionError, MemoryError)):
        return RenderRefused(f"{what} refused: {error or type(error).__name__}")
    return RenderError(f"{what} failed: {error}")


def _remember_timeout(key: object, error: BaseException) -> None:
    if isinstance(error, TemplateLimitError) and error.timed_out:
        _TIMED_OUT[key] = str(error)


def render(template: Template, **context: Any) -> str:
    """Render a message within the sandbox's limits; surrounding whitespace is stripped (TOML
    multi-line strings end in a newline that would show as a blank line in WeChat).

    RenderRefused when a limit is hit (time, size, an object printed), RenderError otherwise."""
    if template in _TIMED_OUT:
        raise RenderRefused(f"template refused: {_TIMED_OUT[template]}")
    chunks: list[str] = []
    size = 0
    try:
        with budget():
            for chunk in template.generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise TemplateLimitError(f"the text is longer than {MAX_OUTPUT} characters")
                chunks.append(chunk)
    except _RUNTIME_ERRORS as error:
        _remember_timeout(template, error)
        raise _failure(error, "template") from error
    return "".join(chunks).strip()


def evaluate(condition: Condition, **context: Any) -> bool:
    """Evaluate a condition; missing fields are falsy, unknown names raise RenderError."""
    if condition._expression in _TIMED_OUT:
        raise RenderRefused(f"condition {condition.source!r} refused: {_TIMED_OUT[condition._expression]}")
    try:
        with budget():
            return bool(condition._expression(**context))
    except _RUNTIME_ERRORS as error:
        _remember_timeout(condition._expression, error)
        raise _failure(error, f"condition {condition.source!r}") from error


# --- context objects ------------------------------------------------------------------------

@dataclass(frozen=True)
class GuideContext(TextLike):
    """The guide (导购/顾问) who owns the customer; renders as their name."""

    name: str = ""
    userid: str = ""

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class CustomerContext:
    """What templates may read about a customer; the DB layer builds it from its model.

    The behaviour metrics (`customer.last_active_days`, `customer.messages_30d` …, the names the
    tag rules use) come from `metrics`, which may compute them only when first read."""

    name: str = ""
    tags: tuple[str, ...] = ()
    stage: str = ""
    value_tier: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    guide: GuideContext = field(default_factory=GuideContext)
    birthday: date | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, name: str) -> Any:
        """customer.<metric>: the sandbox falls back to item access for names that are not fields."""
        return self.metrics[name]


class LazyMetrics(Mapping[str, Any]):
    """Metrics computed on first read (most conditions never read one)."""

    def __init__(self, compute: Callable[[], Mapping[str, Any]]) -> None:
        self._compute = compute
        self._values: Mapping[str, Any] | None = None

    def _loaded(self) -> Mapping[str, Any]:
        if self._values is None:
            self._values = dict(self._compute())
        return self._values

    def __getitem__(self, name: str) -> Any:
        return self._loaded()[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


@dataclass(frozen=True)
class EventContext:
    """The event that enrolled the customer (`type`, its JSON `data`, and when it happened)."""

    type: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None


def template_context(*, customer: CustomerContext, now: datetime,
                     event: EventContext | None = None, link: str = "",
                     step: object = None, playbook: object = None) -> dict[str, Any]:
    """The keyword arguments for `render` and `evaluate`; `today` is `now`'s local date."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return {
        "customer": customer,
        "event": event or EventContext(),
        "link": link,
        "step": step,
        "playbook": playbook,
        "today": now.date(),
        "now": now,
    }


# --- check-time sample renders ----------------------------------------------------------------

SAMPLE_CUSTOMER = CustomerContext(name="示例客户", tags=("示例标签",), stage="active", value_tier="low",
                                  guide=GuideContext("示例导购", "guide"), birthday=date(1990, 1, 1))


def sample_context() -> dict[str, Any]:
    """The context `check` renders every template with: a sample customer and an empty event."""
    now = datetime(2026, 1, 5, 10, 0, tzinfo=DEFAULT_TZ)
    return template_context(customer=SAMPLE_CUSTOMER, now=now, event=EventContext("sample", {}, now),
                            link="https://example.com/r/sample")


def sample_render(source: str) -> str:
    """Render `source` for the sample customer under the send-time limits; TemplateCompileError
    when the sandbox refuses it (missing data is fine: real customers have it)."""
    try:
        return render(compile_template(source), **sample_context())
    except RenderRefused as error:
        raise TemplateCompileError(str(error)) from None
    except RenderError:
        return ""


def sample_evaluate(source: str) -> None:
    """Evaluate a condition for the sample customer under the limits; TemplateCompileError when refused."""
    try:
        evaluate(compile_condition(source), **sample_context())
    except RenderRefused as error:
        raise TemplateCompileError(str(error)) from None
    except RenderError:
        pass
