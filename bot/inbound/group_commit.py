"""Group commit: concurrent requests share one transaction, and each returns only after it committed.

Each request adds its item to a queue and waits for the writer's turn; whoever takes the turn
first writes every item queued so far in one transaction (the items that came in while the last
commit ran), then marks each one done with its result. A request whose item someone else wrote
finds it done when its own turn comes and returns at once. With one request in flight this is one
commit per item, as before; with many, the commits per second stay bounded by the store's commit
time while the items per second grow with concurrency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Slot(Generic[T, R]):
    """One request's item. `done` is set under the writer's lock and read by its request only after
    taking that lock, so a plain flag is enough (no Event to build per item)."""

    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """`write(items)` stores the items in one transaction and returns one result per item, in order;
    when it raises, every request of the group gets the error."""

    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]]) -> None:
        self._write = write
        self._queue: list[_Slot[T, R]] = []
        self._queue_lock = threading.Lock()
        self._writer = threading.Lock()  # one group commit at a time in this process
        self.commits = 0  # transactions written (fewer than the items under concurrency)
        self.items = 0

    def submit(self, item: T) -> R:
        """Store `item` with those of concurrent callers; returns its result once committed."""
        slot: _Slot[T, R] = _Slot(item)
        with self._queue_lock:
            self._queue.append(slot)
        with self._writer:
            if not slot.done:
                with self._queue_lock:
                    group, self._queue = self._queue, []
                self._commit(group)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    @property
    def queued(self) -> int:
        """Items waiting for the writer's turn."""
        return len(self._queue)

    def writing(self) -> threading.Lock:
        """The writer's turn, to hold while closing the store under it."""
        return self._writer

    def _commit(self, group: Sequence[_Slot[T, R]]) -> None:
        try:
            results = self._write([slot.item for slot in group])
        except Exception as exc:  # every waiting request must hear of it, whatever it was
            for slot in group:
                slot.error = exc
                slot.done = True
            return
        self.commits += 1
        self.items += len(group)
        for slot, result in zip(group, results, strict=True):
            slot.result = result
            slot.done = True
