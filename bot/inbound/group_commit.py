"""Group commit: concurrent requests share transactions, and each returns only after its own committed.

Each request adds its item to a queue. When fewer than `writers` commits are under way, it takes
a writer's turn and writes every item queued so far in one transaction; otherwise it waits, and
when a commit ends the waiters wake: those whose items it wrote return, and the first of the
others takes the turn for everything that queued meanwhile. With one request in flight this is
one commit per item, as before; with many, each commit carries the items that arrived while the
others ran. More than one writer at a time lets a store that overlaps transactions (PostgreSQL,
whose own WAL flush is shared by concurrent commits) keep doing so; SQLite has one writer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Slot(Generic[T, R]):
    """One request's item; its state is written and read under the group's lock."""

    item: T
    taken: bool = False  # in a group being written
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """`write(items)` stores the items in one transaction and returns one result per item, in order;
    when it raises, every request of the group gets the error."""

    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]], writers: int = 1) -> None:
        self._write = write
        self.writers = writers
        self._queue: list[_Slot[T, R]] = []
        self._turn = threading.Condition()  # guards the queue, `_busy` and the slots' state
        self._busy = 0  # commits under way
        self.commits = 0  # transactions written (fewer than the items under concurrency)
        self.items = 0

    @property
    def queued(self) -> int:
        """Items waiting for a writer's turn."""
        return len(self._queue)

    def submit(self, item: T) -> R:
        """Store `item` with those of concurrent callers; returns its result once committed."""
        slot: _Slot[T, R] = _Slot(item)
        with self._turn:
            self._queue.append(slot)
            while slot.taken or self._busy >= self.writers:
                if slot.done:
                    break
                self._turn.wait()
            else:
                group, self._queue = self._queue, []
                for queued in group:
                    queued.taken = True
                self._busy += 1
        if not slot.done:
            self._commit(group)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _commit(self, group: Sequence[_Slot[T, R]]) -> None:
        results: Sequence[R] = ()
        error: BaseException | None = None
        try:
            results = self._write([slot.item for slot in group])
        except BaseException as exc:  # every waiting request must hear of it, whatever it was
            error = exc
        with self._turn:
            if error is None:
                self.commits += 1
                self.items += len(group)
                for slot, result in zip(group, results, strict=True):
                    slot.result = result
            for slot in group:
                slot.error, slot.done = error, True
            self._busy -= 1
            self._turn.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold every writer's turn (closing the store under it; tests: commits under way)."""
        with self._turn:
            while self._busy:
                self._turn.wait()
            self._busy = self.writers
        try:
            yield
        finally:
            with self._turn:
                self._busy = 0
                self._turn.notify_all()
