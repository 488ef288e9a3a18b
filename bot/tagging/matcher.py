"""The matcher core: keyword hits on token boundaries in one clause, through the tagger's
prefix-aware index (a run of tokens that is not even a prefix of a keyword ends the scan from its
first token at once), with `*` gaps, keywords inside a longer token (好贵) and keywords split by an
insert (洗完澡)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from bot.tagging.amounts import FEE, FIGURE_START, figure_classes, token_class
from bot.tagging.matches import PUNCTUATION, Entry, Hit
from bot.tagging.negation import TRAILING_PARTICLES
from bot.tagging.patterns import compile_pattern
from bot.tagging.rules import KeywordRule
from bot.tagging.segmenter import Segmenter
from bot.tagging.swallowing import SwallowingWords
from bot.tagging.verb_object import VerbObjects, inserts_pattern

MAX_GAP = 3  # tokens a `*` may skip: 别再给我发消息 is 别 * 发消息 with 再, 给我 skipped

# Clause boundaries besides punctuation: what follows 但是 is a new statement (不疼了，但是有点痒).
CONJUNCTIONS = frozenset("但 但是 不过 可是 然而 只是 就是".split())
# Pieces of a message between punctuation; clauses are pieces further split at CONJUNCTIONS.
PIECES = re.compile(f"[^{PUNCTUATION}]+")
# A piece that may hold an amount or a fee noun (amounts.py): 三千, 50块, 两块钱, 八百元, 教材费.
_CLASSED = re.compile("[0-9十百千万块元费]")
# What may follow a keyword's verb said alone for it to close its clause (年卡怎么续, 能续吗, 还能续不).
_CLOSING = TRAILING_PARTICLES | frozenset(("么", "不", "没"))


class TokenMatching:
    """The keyword tagger's matching of tokens against its index."""

    _rules: tuple[KeywordRule, ...]
    _segmenter: Segmenter
    _index: dict[str, list[Entry]]
    _lookup: dict[str, Sequence[Entry]]
    _gapped_runs: dict[str, tuple[tuple[Entry, ...], frozenset[str]]]
    _aliases: dict[str, str]
    _classes: bool
    _money: frozenset[str]
    _inside: SwallowingWords
    _inside_parts: SwallowingWords
    _inside_topics: dict[str, str]
    _topic_stems: frozenset[str]
    _no_split: frozenset[str]
    _fillers: frozenset[str]
    _glued_modals: frozenset[str]
    _cut_words: frozenset[str]  # question words of two characters, and their first characters
    _separable: re.Pattern[str] | None
    _separable_words: re.Pattern[str] | None
    _verb_objects: VerbObjects
    _heads: dict[int, frozenset[str]]
    _aspects: frozenset[str]

    def _find_in_pieces(self, pieces: list[re.Match[str]], wanted: list[bool]
                        ) -> dict[int, tuple[list[str], list[tuple[int, int]], list[list[Hit]]]]:
        """Piece number -> (tokens, clause ranges, keyword hits per clause), for pieces with keywords."""
        found = {}
        for number, (piece, keep) in enumerate(zip(pieces, wanted, strict=True)):
            if keep:
                tokens = self._unglued(self._segmenter.cut(piece.group()))
                ranges = clause_ranges(tokens)
                read = self._read_tokens(tokens, piece.group())
                hits = [self._find(self._money_heard(read[b:e])) for b, e in ranges]
                found[number] = (tokens, ranges, hits)
        return found

    def _unglued(self, tokens: list[str]) -> list[str]:
        """A modal that the segmenter glued to the first character of the next word (能不能少/发点,
        能少/发点) gives that character back where it opens a keyword with the next token (能不能/少发点):
        `[language] glued_modals`. A question word of two characters (`question_words`: 多少, 什么, 怎么…)
        that the segmenter cut for a keyword after it takes its character back (热玛吉多/少发 is 多少/发: how many
        shots, no opt-out of 少发). The count of tokens stays, so does the text."""
        modals, cut_words = self._glued_modals, self._cut_words
        for i in range(len(tokens) - 1):
            token = tokens[i]
            if len(token) > 1 and token[:-1] in modals and self._is_keyword(token[-1] + tokens[i + 1]) \
                    and not self._is_keyword(tokens[i + 1]):
                tokens[i], tokens[i + 1] = token[:-1], token[-1] + tokens[i + 1]
            elif token[-1] in cut_words and len(tokens[i + 1]) > 1 and token[-1] + tokens[i + 1][0] in cut_words:
                tokens[i], tokens[i + 1] = token + tokens[i + 1][0], tokens[i + 1][1:]
        return tokens

    def _is_keyword(self, token: str) -> bool:
        """A whole keyword of some rule (not only the start of one, nor an exclude word)."""
        return any(not entry.exclude and not entry.rest for entry in self._lookup.get(token, ()))

    def _read_tokens(self, tokens: list[str], piece: str) -> list[str]:
        """The tokens as the keyword index reads them: an alias's word (book -> 预约), an amount or
        a fee noun as its class (三千 -> #, 一千块 -> #块, 教材费 -> 费) unless a keyword names it.
        The class is looked for only in a piece that holds a figure or a fee (most do not)."""
        aliases = self._aliases
        read = [aliases.get(token, token) for token in tokens]
        if self._classes and _CLASSED.search(piece):
            lookup = self._lookup
            read = [token_class(token) or token
                    if (token[0] in FIGURE_START or token[-1] == FEE) and token not in lookup else token
                    for token in read]
            for at, found in figure_classes(tokens).items():  # 3/千多, 一千/2: a figure cut apart
                read[at] = found
        return read

    def _money_heard(self, tokens: list[str]) -> list[str]:
        """推 typed for 退 (both tui) where the clause names money (`money_words`): 「剩下的钱推给我吧」
        asks for a refund; elsewhere 推给我 is a push (「不用推给我了」). Only a token that reads as
        a keyword with 退 changes."""
        if self._money.isdisjoint(tokens):
            return tokens
        lookup = self._lookup
        return [f"退{token[1:]}" if token[:1] == "推" and f"退{token[1:]}" in lookup else token for token in tokens]

    def _find(self, tokens: list[str]) -> list[Hit]:
        """Every keyword and exclude phrase on token boundaries in one clause, by start token."""
        lookup, count, topics, gapped_runs = self._lookup, len(tokens), self._inside_topics, self._gapped_runs
        known_inside, stems = self._inside.known.get, self._topic_stems
        hits: list[Hit] = []
        for start in range(count):
            run = ""
            for end in range(start + 1, count + 1):
                run += tokens[end - 1]
                entries = lookup.get(run)
                if entries is None:
                    break
                if not entries:  # only the start of a keyword (no gapped one either): read on
                    continue
                after = None
                gapped = gapped_runs.get(run)
                if gapped is not None:  # 帮 opens 236 gapped keywords: most clauses hold none of their parts
                    after = "".join(tokens[end:])
                    plain, later = gapped
                    if not any(part in after for part in later):
                        entries = plain
                for entry in entries:
                    if not entry.rest:
                        hits.append(Hit(entry.rule, entry.keyword, start, end, ((start, end),), entry.exclude))
                        continue
                    if after is None:
                        after = "".join(tokens[end:])
                    if entry.rest[0] not in after:  # cheap reject before the token walk
                        continue
                    spans = _match_gapped(tokens, entry.rest, end, self._inside_parts, self._fillers)
                    if spans:
                        spans = ((start, end), *spans)
                        hits.append(Hit(entry.rule, entry.keyword, start, spans[-1][1], spans, entry.exclude))
            token = tokens[start]
            inside = known_inside(token)
            if inside is None:
                inside = self._inside.get(token)
            if inside:
                self._find_inside(inside, start, hits)
            topic = topics.get(token) if topics else None
            if topic is None and len(token) >= 4 and token[:-1] in stems and token not in self._no_split:
                topic = token[:-1]  # 模拟考试 names 模拟考
            if topic is not None:  # 美容师 names 美容: for a topic rule only
                hits += [Hit(e.rule, e.keyword, start, start + 1, ((start, start + 1),), False)
                         for e in self._index[topic]
                         if not e.rest and not e.exclude and not self._rules[e.rule].negatable]
        if self._heads:
            hits = [hit for hit in hits
                    if hit.keyword not in self._heads.get(hit.rule, ()) or self._verb_alone(tokens, hit)]
        if self._separable is not None:
            self._find_separated(tokens, hits)
        return hits

    def _verb_alone(self, tokens: list[str], hit: Hit) -> bool:
        """A keyword's verb said alone (`KeywordRule.heads`) names the keyword where it closes its
        clause (还是上次那个师傅按, 年卡怎么续, 能续吗) or, for a topic, where an aspect follows it
        (`[language] verb_aspects`: 按完, 灸过, 按得真好, 按的时候) or it is said twice (按按, 按一按)."""
        rest = tokens[hit.end :]
        if all(token in _CLOSING for token in rest):
            return True
        if self._rules[hit.rule].negatable:
            return False
        verb = tokens[hit.start]
        return (rest[0] in self._aspects or "".join(rest[:2]) in self._aspects or rest[0] == verb
                or rest[:2] == ["一", verb])

    def _separated(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, keyword) of each two-character keyword said with words between its
        characters (洗完澡, 剪个毛, 分三期, 请过假): a verb and its object, split as Chinese splits them."""
        found = []
        past = self._language.words["past_times"]
        for match in self._separable_words.finditer(text) if self._separable_words is not None else ():
            keyword = match.group(1) + match.group(3)
            if keyword in self._index and not (match.group(1) + match.group(2)).startswith(past):
                found.append((match.start(), match.end(), keyword))  # not 上次/课: the last lesson, nobody attends
        return found + self._verb_objects.split(text)

    def _find_separated(self, tokens: list[str], hits: list[Hit]) -> None:
        text = "".join(tokens)
        found = self._separated(text)
        if found:
            starts = {offset: i for i, offset in enumerate(itertools.accumulate(map(len, tokens), initial=0))}
            found = [(starts[begin], starts[end], keyword) for begin, end, keyword in found
                     if begin in starts and end in starts]  # on token boundaries, however it is split
        spans = {}
        if self._verb_objects:
            # 机油/该/换/了: the object and the verb are the keyword's parts; what lies between them is no part of
            # it and is not swallowed (周末/想过去/补 keeps 想过去 for another rule)
            for first, last, keyword in self._verb_objects.inverted(tokens):
                found.append((first, last, keyword))
                spans[first, last, keyword] = ((first, first + 1), (last - 1, last)) if last - first > 2 else None
        for first, last, keyword in found:
            parts = spans.get((first, last, keyword)) or ((first, last),)
            for entry in self._index[keyword]:
                if not entry.rest:
                    hits.append(Hit(entry.rule, entry.keyword, first, last, parts, entry.exclude))

    def _find_inside(self, inside: tuple[str, ...], i: int, hits: list[Hit]) -> None:
        """The keywords `inside` token i, the rest a degree word or the like: 好贵, 胀痛, 疼死."""
        for inner in inside:
            for entry in self._index[inner]:
                if not entry.rest:
                    hits.append(Hit(entry.rule, entry.keyword, i, i + 1, ((i, i + 1),), entry.exclude))



def gapped_runs(index: dict[str, list[Entry]]) -> dict[str, tuple[tuple[Entry, ...], frozenset[str]]]:
    """First part of a gapped keyword -> (its plain entries, in order; the parts that must come
    next in its gapped ones). A clause that holds none of those parts after the run finds only the
    plain entries, as the full walk would, without trying each gapped keyword in turn."""
    return {first: (tuple(e for e in entries if not e.rest), frozenset(e.rest[0] for e in entries if e.rest))
            for first, entries in index.items() if any(e.rest for e in entries)}


def separable_pattern(keywords: Sequence[str], inserts: Sequence[str]) -> re.Pattern[str] | None:
    """Verb, one or two inserts (了, 完, 个, 一次, 第二...), object, for the separable keywords."""
    pairs = [k for k in keywords if len(k) == 2 and all("\u4e00" <= c <= "\u9fff" for c in k)]
    if not pairs or not inserts:
        return None
    words = inserts_pattern(inserts)
    heads = "".join(sorted({re.escape(k[0]) for k in pairs}))
    tails = "".join(sorted({re.escape(k[1]) for k in pairs}))
    return compile_pattern(f"([{heads}])((?:{words}){{1,2}})([{tails}])")


def clause_ranges(tokens: list[str]) -> list[tuple[int, int]]:
    """(begin, end) token ranges of the clauses in a piece, split at 但是, 不过...."""
    ranges, begin = [], 0
    for i, token in enumerate(tokens):
        if token in CONJUNCTIONS:
            if i > begin:
                ranges.append((begin, i))
            begin = i + 1
    if begin < len(tokens):
        ranges.append((begin, len(tokens)))
    return ranges


def _match_gapped(tokens: list[str], parts: tuple[str, ...], pos: int,
                  inside: SwallowingWords, fillers: frozenset[str] = frozenset()
                  ) -> tuple[tuple[int, int], ...]:
    """Spans for `parts`, each after a gap of at most MAX_GAP tokens, `fillers` not counted
    (别/每天/都/给/我/推: 每天 is the one word skipped; 给, 我 and 都 only fill).

    A part may be a whole token with an affix the segmenter glued to it (`inside`: 给我发 holds 发
    when 给我 is a split prefix). After a gap that skipped a word, the last part may also open a
    token that goes on with its object (别*发 in 别再/发广告): verb and object cut as one token.
    """
    spans = []
    limit = len(tokens)
    for number, part in enumerate(parts, 1):
        found = None
        skipped = 0
        for start in range(pos, limit):
            if start > pos and tokens[start - 1] not in fillers:
                skipped += 1
                if skipped > MAX_GAP:
                    break
            run = ""
            for end in range(start + 1, limit + 1):
                run += tokens[end - 1]
                if len(run) >= len(part):
                    if run == part or (end == start + 1 and (
                            part in inside.get(run) or (number == len(parts) and start > pos
                                                            and run.startswith(part)))):
                        found = (start, end)
                    break
            if found:
                break
        if found is None:
            return ()
        spans.append(found)
        pos = found[1]
    return tuple(spans)


def drop_contained(hits: list[Hit]) -> list[Hit]:
    """Longest match wins: drop a plain hit lying inside a longer part of another hit (取消订阅 ⊃ 订阅), or
    that is the object or the verb of an inverted one (节课 of 节课/能/补 for 补课)."""
    if len(hits) < 2:
        return hits
    return [
        hit
        for hit in hits
        if not (
            len(hit.spans) == 1
            and any(
                other is not hit and s <= hit.start and hit.end <= e
                and (e - s > hit.end - hit.start or (_inverted(other) and other.end - other.start > e - s))
                for other in hits
                for s, e in other.spans
            )
        )
    ]


def _inverted(hit: Hit) -> bool:
    """An inverted verb-object hit: two one-token parts, object and verb, with words between (机油/该/换)."""
    return len(hit.spans) == 2 and "*" not in hit.keyword and all(e - s == 1 for s, e in hit.spans)
