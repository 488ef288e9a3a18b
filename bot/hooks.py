"""Domain hooks: tagging and playbooks subscribe to messages and events as they are recorded.

Listeners run inside the recording transaction, so what they write commits (or not) with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from bot.models import Customer, Event, Message

EventListener = Callable[[Session, "Customer", "Event"], None]
MessageListener = Callable[[Session, "Customer", "Message"], None]


@dataclass
class Hooks:
    on_event: list[EventListener] = field(default_factory=list)
    on_message: list[MessageListener] = field(default_factory=list)

    def event_recorded(self, session: Session, customer: "Customer", event: "Event") -> None:
        for listener in self.on_event:
            listener(session, customer, event)

    def message_received(self, session: Session, customer: "Customer", message: "Message") -> None:
        for listener in self.on_message:
            listener(session, customer, message)
