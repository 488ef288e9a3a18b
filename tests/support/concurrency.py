"""Running the same start-up in several threads at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable


def all_at_once(threads: int, start: Callable[[], object]) -> list[Exception]:
    """`start` called by `threads` threads released together; the exceptions they raised."""
    barrier, errors = threading.Barrier(threads), []

    def run() -> None:
        barrier.wait()
        try:
            start()
        except Exception as exc:  # noqa: BLE001 - the caller asserts there are none
            errors.append(exc)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors
