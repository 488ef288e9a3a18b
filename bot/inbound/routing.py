"""Routers and the dispatch loop for inbound WeChat updates.

Every file in `handlers/` defines one `router`. Handlers are plain functions registered with
`@router.observer(...)` (all matching observers run: storing, logging, tagging) or
`@router.responder(...)` (the first one that returns text answers the customer). A handler
receives only the keyword arguments its signature names, so it can be called in a test.

`@router.passive(...)` registers a responder that decides from the update and what the process
holds in memory (config, tag rules), never the database: the webhook runs these before its ack
and answers in the HTTP response (the Official Account's passive reply), so the ack never waits
for routing. During processing they come first among the responders, so the processing reaches
the answer the webhook gave and does not send another one.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.inbound.parsing import typed_message

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]
Predicate = Callable[["Update"], bool]


@dataclass(frozen=True)
class Update:
    """One inbound message or event, as stored in the callback log.

    `kind` is `text`, `image`, ... for messages and `event:<event>[:<change type>]` for events,
    lower-cased; `fields` are the XML fields as strings.
    """

    channel: str  # wecom | mp | kf
    kind: str
    fields: Mapping[str, Any]
    received_at: datetime
    callback_id: int | None = None
    xml: str = ""

    @property
    def message(self) -> Any:
        """wechatpy's parsed object (parsed on demand: most handlers need only `fields`)."""
        return typed_message(self.channel, self.xml)

    @property
    def sender(self) -> str:
        return str(self.fields.get("FromUserName", ""))

    @property
    def text(self) -> str:
        return str(self.fields.get("Content", "") or "")

    def get(self, name: str, default: str = "") -> str:
        value = self.fields.get(name)
        return default if value is None else str(value)


@dataclass(frozen=True)
class Answer:
    """A responder's reply; `passive` when a passive responder gave it (the webhook's answer)."""

    text: str
    passive: bool


@dataclass(frozen=True)
class Registration:
    callback: Handler
    kinds: frozenset[str]
    channels: frozenset[str]
    when: Predicate | None
    parameters: tuple[str, ...]

    def matches(self, update: Update) -> bool:
        if self.kinds and update.kind not in self.kinds:
            return False
        if self.channels and update.channel not in self.channels:
            return False
        return self.when is None or bool(self.when(update))

    def call(self, context: Mapping[str, Any]) -> Any:
        return self.callback(**{name: context[name] for name in self.parameters})


@dataclass
class Router:
    name: str
    observers: list[Registration] = field(default_factory=list)
    responders: list[Registration] = field(default_factory=list)
    passives: list[Registration] = field(default_factory=list)
    tasks: dict[str, Handler] = field(default_factory=dict)

    def task(self, kind: str) -> Callable[[Handler], Handler]:
        """Register the function that runs queued tasks of `kind` (work that calls WeChat)."""

        def decorator(callback: Handler) -> Handler:
            if kind in self.tasks:
                raise ValueError(f"task kind {kind!r} registered twice in router {self.name}")
            self.tasks[kind] = callback
            return callback

        return decorator

    def observer(
        self, *kinds: str, channel: str | Iterable[str] = (), when: Predicate | None = None
    ) -> Callable[[Handler], Handler]:
        """Register a handler that runs for every matching update."""
        return self._register(self.observers, kinds, channel, when)

    def responder(
        self, *kinds: str, channel: str | Iterable[str] = (), when: Predicate | None = None
    ) -> Callable[[Handler], Handler]:
        """Register a handler whose non-None return value is the reply to the customer."""
        return self._register(self.responders, kinds, channel, when)

    def passive(
        self, *kinds: str, channel: str | Iterable[str] = (), when: Predicate | None = None
    ) -> Callable[[Handler], Handler]:
        """Register a responder answered in the webhook's HTTP response, before the push is routed:
        it may ask only for what needs no database (see `PASSIVE_PARAMETERS` in bot.runtime)."""
        return self._register(self.passives, kinds, channel, when)

    def _register(
        self,
        bucket: list[Registration],
        kinds: Iterable[str],
        channel: str | Iterable[str],
        when: Predicate | None,
    ) -> Callable[[Handler], Handler]:
        channels = frozenset([channel] if isinstance(channel, str) else channel)

        def decorator(callback: Handler) -> Handler:
            parameters = tuple(inspect.signature(callback).parameters)
            bucket.append(Registration(callback, frozenset(kinds), channels, when, parameters))
            return callback

        return decorator


def load_routers(module_name: str) -> list[Router]:
    """The routers a handler package exports through its `routers()` function."""
    module = importlib.import_module(module_name)
    routers = module.routers()
    if not all(isinstance(router, Router) for router in routers):
        raise TypeError(f"{module_name}.routers() must return Router objects")
    return list(routers)


class Dispatcher:
    """Runs observers (all of them), then responders (first answer wins)."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.routers = list(routers)

    def task_functions(self) -> dict[str, Handler]:
        functions: dict[str, Handler] = {}
        for router in self.routers:
            for kind, callback in router.tasks.items():
                if kind in functions:
                    raise ValueError(f"task kind {kind!r} registered by two routers")
                functions[kind] = callback
        return functions

    def check_parameters(self, available: Iterable[str], passive: Iterable[str]) -> None:
        """Fail at start-up, not at the first message, when a handler asks for an unknown name
        (a passive responder for anything beyond the in-memory `passive` names)."""
        names, passive_names = set(available), set(passive)
        for router in self.routers:
            for reg, allowed in [*((r, names) for r in (*router.observers, *router.responders)),
                                 *((r, passive_names) for r in router.passives)]:
                missing = set(reg.parameters) - allowed
                if missing:
                    raise TypeError(
                        f"handler {router.name}.{reg.callback.__name__} asks for {sorted(missing)}; "
                        f"available: {sorted(allowed)}"
                    )

    def passive_reply(
        self,
        update: Update,
        context: Mapping[str, Any],
        run: Callable[[Registration, Mapping[str, Any]], Any] | None = None,
    ) -> str | None:
        """The passive responders' answer (first match wins): no database, no routing."""
        run = run or (lambda reg, ctx: reg.call(ctx))
        for router in self.routers:
            for reg in router.passives:
                if reg.matches(update):
                    reply = run(reg, context)
                    if reply is not None:
                        return str(reply)
        return None

    def dispatch(
        self,
        update: Update,
        context: Mapping[str, Any],
        run: Callable[[Registration, Mapping[str, Any]], Any] | None = None,
    ) -> Answer | None:
        """Route one update. `run` wraps each call (the app uses it for savepoints and errors)."""
        run = run or (lambda reg, ctx: reg.call(ctx))
        for router in self.routers:
            for reg in router.observers:
                if reg.matches(update):
                    run(reg, context)
        passive = self.passive_reply(update, context, run)
        if passive is not None:
            return Answer(passive, passive=True)
        for router in self.routers:
            for reg in router.responders:
                if reg.matches(update):
                    reply = run(reg, context)
                    if reply is not None:
                        return Answer(str(reply), passive=False)
        return None
