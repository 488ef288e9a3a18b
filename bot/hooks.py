"""Domain hooks: tagging and playbooks subscribe to messages and events as they are recorded.

Listeners run inside the recording transaction, so what they write commits (or not) with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from bot.models import Customer, Event, Message

EventListener = Callable[[Session, "Customer", "Event"], None]
MessageListener = Callable[[Session, "Customer", "Message"], None]
BatchListener = Callable[[Session, Sequence["Customer"]], None]


@dataclass
class Hooks:
    on_event: list[EventListener] = field(default_factory=list)
    on_message: list[MessageListener] = field(default_factory=list)
    # A batch of inbound updates is about to be routed for these (known) customers: read what the
    # listeners above will need for all of them at once, for the batch's transaction.
    on_batch: list[BatchListener] = field(default_factory=list)
    # These customers were just created in the current transaction: they have no rows of their own
    # yet, so what `on_batch` listeners would read for them is known to be empty.
    on_created: list[BatchListener] = field(default_factory=list)

    def batch_started(self, session: Session, customers: Sequence["Customer"]) -> None:
        for listener in self.on_batch:
            listener(session, customers)

    def customers_created(self, session: Session, customers: Sequence["Customer"]) -> None:
        for listener in self.on_created:
            listener(session, customers)

    def event_recorded(self, session: Session, customer: "Customer", event: "Event") -> None:
        for listener in self.on_event:
            listener(session, customer, event)

    def message_received(self, session: Session, customer: "Customer", message: "Message") -> None:
        for listener in self.on_message:
            listener(session, customer, message)


_BATCH_KEY = "siyu.batch_reads"


def batch_reads(session: Session) -> dict[str, Any]:
    """Rows `on_batch` listeners read ahead for the current transaction, by the reader's key; a
    new transaction starts empty, so nothing read ahead outlives what it was read for."""
    transaction = session.get_transaction()
    cached = session.info.get(_BATCH_KEY)
    if cached is None or cached[0] is not transaction:
        cached = session.info[_BATCH_KEY] = (transaction, {})
    return cached[1]


def forget_batch_reads(session: Session) -> None:
    """Drop what was read ahead (a change they cannot follow, such as a merge of two customers)."""
    session.info.pop(_BATCH_KEY, None)
