"""jieba's word frequencies, read lazily: a process loads only the words its messages can reach.

jieba's own start-up unmarshals its whole prefix dictionary (350,000 words and prefixes, about
a second of CPU) before the first message. Segmenting a clause only ever looks up words that
start with one of its characters, so the dictionary is kept on disk in chunks, one per first
character, behind a small index: start-up reads the index, and each chunk is unmarshalled the
first time a message holds its character. The chunk file is built once per machine from jieba's
own cache and named after jieba's version and dictionary, so the words and frequencies, and so
the tokens, are exactly jieba's.

A `Dictionary` adds its own words (a tagger's keywords) on top, as `jieba.Tokenizer.add_word`
does: the word with its frequency, every prefix with frequency 0, the total raised by each. The
index holds each chunk's highest frequency, so adding thousands of keywords reads no chunk unless
one of its words could outweigh a keyword's frequency; the prefixes join a chunk when it is read.
"""

from __future__ import annotations

import logging
import marshal
import os
import tempfile
import threading
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path

logger = logging.getLogger(__name__)

_FORMAT = 2  # bumped when the chunk file's layout changes


def cache_dir() -> Path:
    """Where jieba's and our derived caches live (shared by every process on the machine)."""
    path = Path(tempfile.gettempdir()) / "siyu-jieba"
    path.mkdir(parents=True, exist_ok=True)
    return path


def installed_version(name: str) -> str:
    """`importlib.metadata.version(name)` for a distribution whose top-level package has its name
    (jieba, opencc, pypinyin), read from the `<name>-<version>.dist-info` directory beside the
    package when there is exactly one: importlib.metadata parses each METADATA file as an e-mail
    message, 12 ms of each `siyu tag`'s start-up for the three caches' names, this about 1 ms.
    Any other layout (an editable install, two dist-infos) asks importlib.metadata."""
    spec = find_spec(name)
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob(f"{name}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(name) + 1 : -len(".dist-info")]
    from importlib import metadata

    return metadata.version(name)


class _Chunks:
    """jieba's dictionary split by first character, unmarshalled chunk by chunk on first use."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        header_size = int.from_bytes(data[:8], "little")
        self.total, index = marshal.loads(data[8 : 8 + header_size])
        self._index: dict[str, tuple[int, int, int]] = index  # char -> offset, size, highest frequency
        self._data = memoryview(data)[8 + header_size :]
        self._loaded: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def chunk(self, char: str) -> dict[str, int]:
        """Words (and word prefixes, with 0) starting with `char`; never to be changed."""
        found = self._loaded.get(char)
        if found is None:
            place = self._index.get(char)
            found = marshal.loads(self._data[place[0] : place[0] + place[1]]) if place else {}
            with self._lock:
                self._loaded.setdefault(char, found)
        return found

    def heaviest(self, char: str) -> int:
        """The highest frequency of a word starting with `char` (0 for none), without reading its chunk."""
        place = self._index.get(char)
        return place[2] if place else 0


_base_lock = threading.Lock()
_base: list[_Chunks] = []


def _chunk_path() -> Path:
    # Named by jieba's version (read from metadata: importing jieba costs time we are saving).
    return cache_dir() / f"jieba-{installed_version('jieba')}-chunks-{_FORMAT}.marshal"


def _build_chunks(path: Path) -> None:
    """Write the chunk file from jieba's own dictionary (jieba loads, or builds, its cache once)."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)  # it logs its loading through its own handler
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.initialize()
    groups: dict[str, dict[str, int]] = {}
    for word, freq in tokenizer.FREQ.items():
        groups.setdefault(word[0], {})[word] = freq
    body, index, offset = [], {}, 0
    for char, words in groups.items():
        blob = marshal.dumps(words)
        index[char] = (offset, len(blob), max(words.values()))
        body.append(blob)
        offset += len(blob)
    header = marshal.dumps((tokenizer.total, index))
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    with scratch.open("wb") as out:
        out.write(len(header).to_bytes(8, "little"))
        out.write(header)
        out.writelines(body)
    os.replace(scratch, path)  # atomic: a process reading the old file, or none, is never confused


def _base_chunks() -> _Chunks:
    """jieba's dictionary for this process, opened once."""
    with _base_lock:
        if not _base:
            path = _chunk_path()
            try:
                _base.append(_Chunks(path))
            except (OSError, EOFError, ValueError, TypeError):
                logger.info("building the segmentation dictionary cache %s (once per machine)", path)
                _build_chunks(path)
                _base.append(_Chunks(path))
        return _base[0]


class Dictionary:
    """jieba's dictionary plus `words` at `freq(word)`; read-only once built, thread-safe."""

    def __init__(self, words: Iterable[str] = (), freq: int = 0) -> None:
        self._base = _base_chunks()
        self.total = self._base.total
        self._added: dict[str, dict[str, int]] = {}  # first character -> added words
        self._merged: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        for word in words:
            if len(word) > 1:
                self._add(word, freq)

    def _add(self, word: str, freq: int) -> None:
        own = self._added.setdefault(word[0], {})
        known = own.get(word)
        if known is None and freq < self._base.heaviest(word[0]):  # jieba's word may weigh more
            known = self._base.chunk(word[0]).get(word)
        own[word] = freq = max(freq, known or 0)
        self.total += freq

    def chunk(self, char: str) -> dict[str, int]:
        """Words and prefixes starting with `char` (prefixes at 0); absent means no such word."""
        found = self._merged.get(char)
        if found is None:
            found = self._base.chunk(char)
            added = self._added.get(char)
            if added:  # each added word's prefixes at 0, unless jieba has them (or they are added words)
                prefixes = dict.fromkeys((word[:end] for word in added for end in range(1, len(word))), 0)
                found = {**prefixes, **found, **added}
            with self._lock:
                self._merged.setdefault(char, found)
        return found

    def get(self, word: str) -> int | None:
        """The word's frequency (0 for a mere prefix), None when it is no word."""
        return self.chunk(word[0]).get(word) if word else None
