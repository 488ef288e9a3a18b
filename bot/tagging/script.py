"""Spelling before matching: traditional to simplified, typos and homophones by pinyin, aliases.

Every step here keeps the text's length (one character for one character), so the offsets the
tagger computes still point into what the customer wrote and a clause is quoted as written.

- Traditional characters become simplified with OpenCC's `t2s` table (the `opencc` wheels: the
  official binding of the project every Chinese converter derives from, maintained, C++ core),
  applied character by character through one `str.translate` table built at start-up, together
  with width and case folding: one pass in C per message.
- A rule that allows pinyin (`pinyin = true`, the default) also matches a homophone typo of its
  keywords: 预月 for 预约, 水光真 for 水光针. A typo must keep at least half of the keyword's
  characters, so a common phrase that merely sounds alike (加个 for 价格) never matches; initials
  zh/ch/sh and finals -ng fold (投述 for 投诉), as in the fuzzy pinyin of Chinese input methods.
- Aliases map a Latin word (book, refund, tuikuan) to the Chinese word a rule is written with;
  they are applied to tokens by the tagger (`alias_of`), since they change the length.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from bot.tagging.dictionary import installed_version
from bot.tagging.disk_cache import cache_path, load_cached, store_cached
from bot.tagging.patterns import compile_pattern, longest_first

logger = logging.getLogger(__name__)

_HAN_RANGE = (0x4E00, 0x9FA6)
_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
MIN_PINYIN_LENGTH = 2  # a one-character keyword has too many homophones to match by sound


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """One `str.translate` table: full-width to half-width, Latin to lower case, traditional
    characters to simplified (OpenCC's t2s, character by character), each one character for one."""
    table = {point: chr(point - 0xFEE0) for point in range(0xFF01, 0xFF5F)} | {0x3000: " "}
    table |= {point: chr(point).lower() for point in range(ord("A"), ord("Z") + 1)}
    table |= {point: chr(point - 0xFEE0).lower() for point in range(0xFF21, 0xFF3B)}
    traditional, simplified = _simplified_chars()
    table |= {ord(a): b for a, b in zip(traditional, simplified, strict=True)}
    return table


def _simplified_chars() -> tuple[str, str]:
    """The Han characters that t2s changes to one other character, and what it changes them to;
    cached on disk like the syllables (OpenCC converting every Han character took 10-30 ms of each
    `siyu tag`), named by OpenCC's version."""
    path = cache_path(f"t2s-{installed_version('opencc')}.marshal")
    pair = load_cached(path)
    if (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
            and len(pair[0]) == len(pair[1])):
        return pair

    import opencc

    chars = "".join(map(chr, range(*_HAN_RANGE)))
    changed = [(a, b) for a, b in zip(chars, opencc.OpenCC("t2s.json").convert(chars), strict=True)
               if a != b and len(b) == 1]
    pair = ("".join(a for a, _ in changed), "".join(b for _, b in changed))
    store_cached(path, pair, "t2s")
    return pair


def fold(text: str) -> str:
    """Width, case and script folded in one pass; the same length, so offsets still hold."""
    return text.translate(fold_table())


def _fold(syllable: str) -> str:
    for long, short in _FOLDS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    return syllable[:-1] if syllable.endswith("ng") else syllable


# The syllables of every Han character, in code point order, as one space-separated string:
# marshal reads one string and `split` makes the table in a few milliseconds, where a marshalled
# dict of 20,902 entries took 45-70 ms to load, twice per `siyu tag`.
_SYLLABLE_FORMAT = 2


def _syllable_cache_path(kind: str = "pinyin") -> Path:
    # Named by pypinyin's version, read from its metadata: importing it would cost a second.
    return cache_path(f"{kind}-{installed_version('pypinyin')}-{_SYLLABLE_FORMAT}.marshal")


@lru_cache(maxsize=1)
def _syllables() -> dict[int, str]:
    """Han character -> folded toneless syllable (see `_syllable_table`)."""
    return _syllable_table(folded=True)


@lru_cache(maxsize=1)
def _plain_syllables() -> dict[int, str]:
    """Han character -> toneless syllable as typed (zh, -ng kept), for a keyword's spelling."""
    return _syllable_table(folded=False)


def spelled(word: str) -> str | None:
    """A Han word's toneless pinyin, syllables run together as a customer types it (贴膜 -> tiemo,
    保养 -> baoyang); None when a character is no Han character. Each character's commonest reading."""
    said = syllables(word)
    return "".join(said) if said is not None else None


def syllables(word: str) -> tuple[str, ...] | None:
    """A Han word's toneless syllables (到哪了 -> dao, na, le), or None when a character is no Han character."""
    table = _plain_syllables()
    said = tuple(table.get(ord(char), "") for char in word)
    return said if all(said) else None


def _syllable_table(folded: bool) -> dict[int, str]:
    """Han character -> toneless syllable, folded (`_fold`) or not, built once with pypinyin and
    cached on disk (as jieba caches its dictionary), so a new process does not pay pypinyin's import."""
    path = _syllable_cache_path("pinyin" if folded else "pinyin-plain")
    points = range(*_HAN_RANGE)
    syllables = load_cached(path)
    if isinstance(syllables, str):
        return dict(zip(points, syllables.split(" "), strict=True))

    from pypinyin import Style, lazy_pinyin

    spell = _fold if folded else str
    table = {point: spell(lazy_pinyin(chr(point), style=Style.NORMAL)[0]) for point in points}
    store_cached(path, " ".join(table[point] for point in points), "pinyin")
    return table


class _SoundTable(dict[int, str]):
    """A `str.translate` table: a Han character -> one private-use character per folded syllable,
    anything else -> NUL. Filled lazily, so start-up costs nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._codes: dict[str, str] = {}

    def __missing__(self, point: int) -> str:
        code = "\0"
        if _HAN_RANGE[0] <= point < _HAN_RANGE[1]:
            syllable = _syllables().get(point, "")
            code = self._codes.setdefault(syllable, chr(0xE000 + len(self._codes))) if syllable else code
        self[point] = code
        return code

    def encode(self, text: str) -> str:
        return text.translate(self)


# A negator written is never a homophone typo (不拍 for 补拍, 没 for 美).
NEGATOR_CHARS = frozenset("不没别")
# Particles and light words that a typo's kept characters must not be all of: 练琴的 keeps only 的 of
# 青的, which makes it a one-character homophone (琴 for 青), too common to be a typo.
LIGHT_CHARS = frozenset("的了得地着过个一是有点")


class TypoRepair:
    """Rewrites homophone typos of the given keywords to the keywords themselves."""

    def __init__(self, keywords: Iterable[str], is_word: Callable[[str], bool] = lambda _: False,
                 bounds: Callable[[str], frozenset[int]] | None = None,
                 meant: Callable[[str, str, str], bool] | None = None,
                 everyday: Callable[[str], bool] = lambda _: False) -> None:
        self._is_word = is_word  # a real word (不是 for 不适) is never a typo
        self._everyday = everyday  # a word written often (不会), never a typo's part
        self._meant = meant  # (written, keyword, what follows): the written word makes sense as typed
        self._bounds = bounds  # token boundaries of a text: a typo never straddles one (同事家 is not 事假)
        self._sounds = _SoundTable()
        self._by_code: dict[str, list[str]] = {}
        self._keywords: set[str] = set()
        for keyword in keywords:
            if len(keyword) >= MIN_PINYIN_LENGTH and all(_HAN_RANGE[0] <= ord(c) < _HAN_RANGE[1] for c in keyword):
                self._by_code.setdefault(self._sounds.encode(keyword), []).append(keyword)
                self._keywords.add(keyword)
        self._pattern = trie_pattern(self._by_code) if self._by_code else None

    def repair(self, text: str) -> str:
        """`text` with each typo replaced by its keyword; the same length."""
        if self._pattern is None:
            return text
        out = list(text)
        bounds: frozenset[int] | None = None
        for found in self._sounded(self._sounds.encode(text)):
            written = text[found.start() : found.end()]
            if written in self._keywords:
                continue
            for keyword in self._by_code[found.group()]:
                same = sum(a == b for a, b in zip(written, keyword, strict=True))
                if same == len(keyword) or 2 * same < len(keyword) or self._is_word(written):
                    continue
                if self._in_everyday_word(written, keyword):
                    continue  # 也不会 is no typo of 也不回: 不会 is a word as written
                if all(a in LIGHT_CHARS for a, b in zip(written, keyword, strict=True) if a == b):
                    continue  # 练琴的 is no typo of 青的: only the particle is kept
                if any(a != b and a in NEGATOR_CHARS for a, b in zip(written, keyword, strict=True)):
                    continue  # 不拍 is no typo of 补拍: a negator is meant
                if self._bounds is not None:
                    bounds = bounds if bounds is not None else self._bounds(text)
                    if found.start() not in bounds or found.end() not in bounds:
                        continue
                if self._meant is not None and self._meant(written, keyword, text[found.end() :]):
                    continue  # 帮我拍个照片: 拍 takes its object, no 排 was meant
                out[found.start() : found.end()] = keyword
                break
        return "".join(out)

    def _in_everyday_word(self, written: str, keyword: str) -> bool:
        """A character that differs from the keyword's makes an everyday word with a written neighbour
        (不会 in 也不会 for 也不回): the writer meant that word, no homophone."""
        for at, (a, b) in enumerate(zip(written, keyword, strict=True)):
            if a != b and any(self._everyday(written[start : start + 2]) for start in (at - 1, at)
                              if 0 <= start and start + 2 <= len(written)):
                return True
        return False

    def _sounded(self, encoded: str) -> Iterator[re.Match[str]]:
        """Every place where a keyword's sound starts, overlapping: 能不能退宽 sounds like 能退
        before it sounds like 退款."""
        assert self._pattern is not None
        found = self._pattern.search(encoded)
        while found:
            yield found
            found = self._pattern.search(encoded, found.start() + 1)


def trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex that finds any of `words`, built as a trie so each position costs one branch."""
    return compile_pattern(trie_regex(words))


def trie_regex(words: Iterable[str]) -> str:
    """`trie_pattern`'s source. Where several words match at one place it takes the longest, as
    an alternation of them sorted longest first does."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return body + ("?" if "" in node else "")

    return emit(trie) if trie else "(?!)"


class WordSet:
    """Whether a text holds any of a set of words: per character of the text, a look-up of the
    words that start with it, by length. For thousands of words this is several times faster
    than searching with their trie regex, whose every position tries each first character in turn."""

    def __init__(self, words: Iterable[str]) -> None:
        self._lengths: dict[str, tuple[int, ...]] = {}  # first character -> lengths of its words
        self._words = frozenset(word for word in words if word)
        for word in sorted(self._words, key=len):
            lengths = self._lengths.get(word[0], ())
            if len(word) not in lengths:
                self._lengths[word[0]] = (*lengths, len(word))

    def in_text(self, text: str) -> bool:
        words, lengths = self._words, self._lengths
        for start, char in enumerate(text):
            for length in lengths.get(char, ()):
                if text[start : start + length] in words:
                    return True
        return False


def alias_table(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{canonical: [alias, ...]} -> {alias (case-folded, the words of a phrase run together): canonical}."""
    return {"".join(alias.lower().split()): canonical for canonical, words in aliases.items() for alias in words}


class PhraseJoiner:
    """Runs together the words of the aliases that are phrases (how much, money back), and the syllables of
    a keyword's pinyin typed apart (dao na le, dingjin tui), so that each is one token the alias table reads;
    the spaces move to the phrase's end, so the text keeps its length."""

    def __init__(self, aliases: Mapping[str, Iterable[str]], spelled_apart: Iterable[tuple[str, ...]] = ()) -> None:
        phrases = sorted({alias.lower() for words in aliases.values() for alias in words if " " in alias.strip()},
                         key=longest_first)
        branches = [r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases]
        apart = sorted({said for said in spelled_apart if len(said) > 1}, key=lambda said: -len("".join(said)))
        branches += [r"\s*".join(map(re.escape, said)) for said in apart]
        self._pattern = (compile_pattern("(?<![a-z])(?:" + "|".join(branches) + ")(?![a-z])")
                         if branches else None)

    def join(self, text: str) -> str:
        if self._pattern is None or " " not in text or not _LATIN_APART.search(text):
            return text
        return self._pattern.sub(_run_together, text)


_LATIN_APART = re.compile(r"[a-z]\s+[a-z]")  # a phrase or syllables apart: most spaces are between Chinese words


def _run_together(match: re.Match[str]) -> str:
    joined = "".join(match.group().split())
    return joined + " " * (len(match.group()) - len(joined))
