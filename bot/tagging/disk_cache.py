"""Tables derived once per machine and kept on disk for every later process: where they live, how
one is read, how one is written (OpenCC's t2s table, the pinyin syllables, the compiled regexes)."""

from __future__ import annotations

import logging
import marshal
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def cache_path(name: str) -> Path:
    """A derived table's file beside jieba's cache (`dictionary.cache_dir`), not created here: a
    machine where it cannot be written rebuilds the table each time."""
    return Path(tempfile.gettempdir()) / "siyu-jieba" / name


def load_cached(path: Path) -> object:
    """What `store_cached` wrote at `path`, or None when it is missing or unreadable."""
    try:
        with path.open("rb") as cached:
            return marshal.loads(cached.read())  # whole: marshal.load reads a file in small pieces, 10-20x slower
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store_cached(path: Path, value: object, what: str) -> None:
    """Writes `value` to `path` whole or not at all (a scratch file renamed), for other processes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(f".{os.getpid()}.tmp")
        with scratch.open("wb") as out:
            marshal.dump(value, out)
        os.replace(scratch, path)
    except OSError as exc:
        logger.info("%s cache not written (%s); it is rebuilt next time", what, exc)
