"""Words that swallow a keyword: a token that is a keyword with a degree word or the like glued to
it by the segmenter (好贵 holds 贵, 胀痛 holds 痛, 疼死 holds 疼), unless the token is a
do-not-split word (心疼)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Tokens whose reading is remembered (a process tags messages from a bounded vocabulary, but
# phone and order numbers are tokens too: the memory stays bounded).
REMEMBERED = 100_000


class SwallowingWords:
    """Token -> the plain keywords inside it, one or two characters of `prefixes` before or of
    `suffixes` after, plus `extra` tokens with what they hold (洗衣服 holds 洗衣).

    Worked out per token when it is first looked up: the table of every affix and every keyword
    holds hundreds of thousands of tokens that no message ever has, and building it was a third
    of the start-up of `siyu tag`.
    """

    def __init__(self, keywords: Iterable[str], prefixes: Iterable[str], suffixes: Iterable[str],
                 no_split: frozenset[str], extra: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._keywords = frozenset(keywords)
        prefixes, suffixes = frozenset(prefixes), frozenset(suffixes)
        self._prefixes = {cut: frozenset(a for a in prefixes if len(a) == cut) for cut in (1, 2)}
        self._suffixes = {cut: frozenset(a for a in suffixes if len(a) == cut) for cut in (1, 2)}
        self._no_split = no_split
        self._extra = {token: inner for token, inner in (extra or {}).items() if token not in no_split}
        # Token -> what `get` found: a caller that reads every token looks here first (`known.get`).
        self.known: dict[str, tuple[str, ...]] = {}

    def get(self, token: str) -> tuple[str, ...]:
        """The keywords inside `token` (`_inside`), remembered."""
        found = self.known.get(token)
        if found is None:
            if len(self.known) >= REMEMBERED:
                self.known.clear()
            found = self.known[token] = self._inside(token)
        return found

    def _inside(self, token: str) -> tuple[str, ...]:
        """The keywords inside `token`, in a fixed order: one-character affixes first, a prefix
        before a suffix, then `extra`."""
        if token in self._no_split:
            return ()
        keywords = self._keywords
        found: tuple[str, ...] = ()
        for cut in (1, 2):
            if token[:cut] in self._prefixes[cut] and token[cut:] in keywords:
                found += (token[cut:],)
            if token[-cut:] in self._suffixes[cut] and token[:-cut] in keywords:
                found += (token[:-cut],)
        return found + self._extra.get(token, ())
