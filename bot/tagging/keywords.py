"""Tag a customer message from the keyword rules: jieba tokens, clauses, negation.

A keyword matches only on token boundaries: its text must equal a run of consecutive tokens
in one clause, so 约 does not fire inside 大约, 贵 inside 贵姓, 疼 inside 心疼. Every keyword is
added to the tagger's own jieba dictionary so that product words (水光针, 热玛吉) and phrases
(约个时间) come out as tokens. `*` in a keyword is a gap of up to `MAX_GAP` tokens (别*发消息).

A negator shortly before a keyword, in the same clause, cancels a negatable rule (暂时不需要预约,
没有红肿); bot.tagging.negation says which. Negators inside a keyword are part of it (不满意,
别*发消息, 来不了).

Speed: a trie regex skips punctuation-delimited pieces holding no keyword before any
segmenting; `Segmenter` (bot.tagging.segmenter) reproduces jieba's HMM-free cut without its
per-call overhead; a prefix-aware index means each token start costs a few dict lookups however
many keywords exist.
"""

from __future__ import annotations

import logging
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bot.tagging.amounts import AMOUNT, CLASS_CHARS, FEE, FIGURE_START, token_class
from bot.tagging.dictionary import Dictionary
from bot.tagging.grievance import GRIEVANCE_MOODS
from bot.tagging.language import (DEFAULT_ALIASES, NEGATED_PRAISE, ClauseInfo, Marker, quoted_spans, read_moods,
                                  sentence_numbers)
from bot.tagging.negation import PASSED_NEGATORS, TRAILING_PARTICLES, asks_a_not_a, negations, passed_later
from bot.tagging.rules import GAP, OPT_OUT_TAG, KeywordRule, RuleSet
from bot.tagging.script import TypoRepair, WordSet, alias_table, fold, spelled, trie_pattern, trie_regex
from bot.tagging.segmenter import Segmenter
from bot.tagging.swallowing import SwallowingWords
from bot.tagging.verb_object import VerbObjects

logger = logging.getLogger(__name__)

MAX_GAP = 3  # tokens a `*` may skip: 别再给我发消息 is 别 * 发消息 with 再, 给我 skipped
# High enough that a keyword beats the rarer dictionary words it overlaps (分期付款 -> 分期/付款,
# 想到店 -> 想/到店) while common words still win (不适合 stays whole, so 不适 does not fire).
# Single characters are never boosted: that would split 大约 into 大/约.
KEYWORD_FREQ = 10_000_000
COMMON_WORD_FREQ = 3  # jieba's dictionary lists rare words with 1 or 2; 不是 has 100,000+

# Clause boundaries besides punctuation: what follows 但是 is a new statement (不疼了，但是有点痒).
CONJUNCTIONS = frozenset("但 但是 不过 可是 然而 只是 就是".split())
# Pieces of a message between punctuation; clauses are pieces further split at CONJUNCTIONS.
_PIECES = re.compile(r"[^,.!?;:~。！？；，：…～\s]+")



@dataclass(frozen=True)
class TagMatch:
    """One tag on one message, with the words and clause that explain it."""

    tag: str
    group: str
    rule: str  # stable rule id, e.g. "keyword:意向:预约"
    matched: tuple[str, ...]  # the rule's keywords that fired, as written in the rules, text order
    clause: str  # the first clause the tag fired in, as the customer wrote it


class _Entry(NamedTuple):
    rule: int
    keyword: str  # as written in the rules (after vocab expansion)
    rest: tuple[str, ...]  # parts after the first `*`, normalised
    exclude: bool


class _Hit(NamedTuple):
    rule: int
    keyword: str
    start: int  # first token
    end: int  # one past the last token
    spans: tuple[tuple[int, int], ...]  # (first, end) tokens of each part
    exclude: bool


def normalise(text: str) -> str:
    """Case-, width- and script-fold (traditional to simplified); keeps the length so offsets
    still point into the original text."""
    return fold(text)


class KeywordTagger:
    """Tags messages with a rule set's keyword rules. Build once; `tag` is read-only and thread-safe."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._rules: tuple[KeywordRule, ...] = rules.keyword_rules
        self._language = rules.language
        # First part of every keyword -> what it may start; a message is scanned once, looking
        # up runs of tokens, so cost grows with the message, not with the number of keywords.
        self._index: dict[str, list[_Entry]] = {}
        words: list[str] = list(map(normalise, rules.dictionary_words))
        sounded: list[str] = []
        via = [dict(rule.via) for rule in self._rules]
        for number, rule in enumerate(self._rules):
            for keyword, is_exclude in [(k, False) for k in rule.keywords] + [(k, True) for k in rule.exclude]:
                first, *rest = normalise(keyword).split(GAP)
                self._index.setdefault(first, []).append(_Entry(number, keyword, tuple(rest), is_exclude))
                if rest:  # the parts with nothing between may be one word of the segmenter (不要推送)
                    whole = first + "".join(rest)
                    self._index.setdefault(whole, []).append(_Entry(number, keyword, (), is_exclude))
                if AMOUNT in keyword:
                    continue  # a class of tokens (#以内), not a word for the segmenter or for sound
                if (keyword in rule.timed or keyword in rule.abbreviations) and not is_exclude:
                    continue  # 做个, 过来, 坡起: read as jieba cuts them, neither boosted nor read by sound
                words += [first, *rest]
                # A concept group's words are not read by sound: 秃了 must not become 吐了.
                if rule.pinyin and not is_exclude and keyword not in via[number]:
                    sounded += [first, *rest]
        # Every proper prefix of a first part maps to (): a run that is not even a prefix ends
        # the scan from that token at once, which is most runs.
        self._lookup: dict[str, Sequence[_Entry]] = {
            first[:cut]: () for first in self._index for cut in range(1, len(first))
        }
        self._lookup.update(self._index)
        # A rule's own words typed in pinyin (tiemo, baoyang, xuefei) read as the words, unless the
        # rule says `pinyin = false`; the default vocabulary and `[aliases]` win for the same spelling.
        self._aliases = {**_spelled_keywords(sounded), **alias_table({**DEFAULT_ALIASES, **dict(rules.aliases)})}
        # A piece can hold a keyword only if it holds each of its parts (`_needed_part`). A `timed`
        # keyword (过来, 做) makes a piece worth segmenting only in a message naming a time.
        needed = {_needed_part(first, entry) for first, entries in self._index.items()
                  for entry in entries if not self._is_timed(entry)}
        timed_needed = {_needed_part(first, entry) for first, entries in self._index.items()
                        for entry in entries if self._is_timed(entry)}
        self._timed_candidates = (trie_pattern(sorted(timed_needed - needed - {""}))
                                  if timed_needed - needed - {""} else None)
        # Keywords on a class of tokens (#以内, 费): an amount or a fee noun is read as its class.
        self._classes = AMOUNT in "".join(self._index) or FEE in self._index
        # A piece is worth segmenting if it holds a keyword (or, below, a keyword split by an insert).
        self._candidates = WordSet(sorted(needed - {""}) + list(self._aliases))
        self._typos = TypoRepair(dict.fromkeys(sounded), is_word=self._common_word, bounds=self._token_bounds)
        self._cues = _cue_table(self._rules)
        self._cue_pattern = _cue_pattern(self._cues)
        self._patterned_cues = [(cue, re.compile(_cue_regex(cue, whole=True))) for cue in self._cues
                                if not cue.startswith("mood:") and (GAP in cue or NUMBER in cue)]
        # A cue on a mood ("mood:rhetorical") makes a message worth reading when it has that mood.
        mood_kinds = [key[5:] for key in self._cues if key.startswith("mood:") and key != "mood:negative"
                      and key[5:] not in GRIEVANCE_MOODS]
        # The grievance moods (persisting, elapsed…) a rule weighs: read only then, and a message is
        # worth reading for them when it holds one of their trigger words.
        self._grievance = frozenset(key[5:] for key in self._cues if key[5:] in GRIEVANCE_MOODS
                                    and key.startswith("mood:")) | frozenset(
            mood for rule in self._rules for mood in (rule.mood | rule.not_mood) if mood in GRIEVANCE_MOODS)
        self._grievance_trigger = self._language.grievances.trigger if self._grievance else None
        # 太慢 is found by its own pattern: the negative words alone (慢, 差) are in too many messages.
        self._negative_cue = "mood:negative" in self._cues
        # Whether a message holds a cue word (`_cue_presence`) or a strong judgement (太慢).
        self._plain_cues, self._other_cues = _cue_presence(self._cues)
        self._negative = self._language.negative_pattern if self._negative_cue else None
        mood_words = [w for kind in mood_kinds if kind != "referring"
                      for w in self._language.words.get(_MOOD_MARKERS.get(kind, kind), ())]
        if "referring" in mood_kinds:  # 也 alone is in too many messages: 也 with what is wanted (也想, 也打算)
            words_of = self._language.words
            mood_words += [also + want for also in words_of["also"] for want in words_of["also_wants"]]
        self._mood_cues = _cue_pattern(dict.fromkeys(mood_words, []))
        self._markers_anywhere = _cue_pattern({w.split(GAP)[0]: [] for k in _MARKER_KINDS for w in
                                               self._language.marker_words(k)})
        no_split = frozenset(map(normalise, rules.dictionary_words))
        plain = [first for first, entries in self._index.items() if any(not e.rest for e in entries)]
        # A keyword inside a longer token (好贵, 胀痛), `self._inside` below; the same for the parts
        # after a gap: 别*发 in 别再/给我发 (jieba's word 给我发).
        affixes = self._language.split_prefixes, self._language.split_suffixes
        later = {part for entries in self._index.values() for e in entries for part in e.rest}
        self._inside_parts = SwallowingWords(later, *affixes, no_split)
        self._fillers = frozenset(self._language.words["gap_fillers"])
        # A topic named inside a longer word (美容师, 染发剂, 美甲店): `topic_suffixes`, topic rules only.
        topics = [first for first, entries in self._index.items() if len(first) > 1 and AMOUNT not in first
                  and any(not e.rest and not e.exclude and not self._rules[e.rule].negatable for e in entries)]
        self._inside_topics = {topic + suffix: topic for suffix in self._language.words["topic_suffixes"]
                               for topic in topics if topic + suffix not in no_split}
        self._money = frozenset(self._language.words["money_words"])
        lists = self._language.words
        self._others = (frozenset(lists["third_persons"]) | frozenset(lists["speakers"])) - frozenset(
            lists["own_speakers"])
        self.words = list(dict.fromkeys(words))  # what the segmenter keeps whole, besides jieba's own
        self._dictionary = Dictionary(self.words, KEYWORD_FREQ)
        self._segmenter = Segmenter(self._dictionary)
        self._via = via
        separable_words = frozenset(self._language.words["separable"])
        self._separable = self._separable_words = _separable_pattern([k for k, entries in self._index.items()
                                                          if k in separable_words
                                                          and any(not e.rest and not e.exclude for e in entries)],
                                             self._language.words["separable_inserts"])
        # A rule's own verb-object keywords (洗鞋, 换机油), split, inverted, with the object's noun.
        self._verb_objects = VerbObjects(
            [e.keyword for first, entries in self._index.items() for e in entries
             if first == normalise(e.keyword) and not e.rest and not e.exclude and e.keyword not in via[e.rule]],
            self._language.words)
        verb_objects = self._verb_objects.pattern
        if verb_objects is not None:
            self._separable = (re.compile(f"{self._separable.pattern}|{verb_objects.pattern}")
                               if self._separable is not None else verb_objects)
        # A verb glued to a full noun holds the verb-object keyword: 洗衣服 holds 洗衣.
        self._inside = SwallowingWords(plain, *affixes, no_split, extra=self._verb_objects.glued)
        # Asking and wishing are moods of every clause only when a rule names them; `intent` and
        # `asked` read them for the clauses of their hits alone.
        self._reads_negative = any("negative" in rule.mood | rule.not_mood or any(
            word == "mood:negative" for word, _ in rule.cues) for rule in self._rules)
        self._reads_intent = any((rule.mood | rule.not_mood) & {"asking", "request"}
                                 or any(word in ("mood:asking", "mood:request") for word, _ in rule.cues)
                                 for rule in self._rules)
        self._resolution_verbs = frozenset("".join(self._language.words["resolution_verbs"]))
        self._denied_patterns: dict[int, re.Pattern[str]] = {}  # rule -> its words denied and closed by 了
        # What each rule's arrangement is named by (`arrangement`): a sentence that moves something
        # moves the arrangement it names (周日的课改到周六 is leave, 周三那个号往后挪 a booking).
        self._arrangement = {number: frozenset(map(normalise, rule.arrangement))
                             for number, rule in enumerate(self._rules) if rule.arrangement}
        self._reads_referring = any(word == "mood:referring" for rule in self._rules for word, _ in rule.cues)
        self._exclusive = frozenset(rules.exclusive_groups)
        self._yielding = any(rule.yield_to for rule in self._rules)
        self._lone_verbs = any(rule.verbs for rule in self._rules)
        logger.info(
            "keyword tagger ready: %d rules, %d keywords, rules version %s",
            len(self._rules),
            len(self._index),
            rules.version,
        )

    def _holds_cue(self, folded: str) -> bool:
        """Whether a message holds a cue word, a strong judgement (太慢) or a marker of a mood a cue names."""
        return bool(self._plain_cues.in_text(folded)
                    or (self._other_cues is not None and self._other_cues.search(folded))
                    or (self._negative is not None and self._negative.search(folded))
                    or (self._mood_cues is not None and self._mood_cues.search(folded)))

    def _is_timed(self, entry: _Entry) -> bool:
        return not entry.exclude and entry.keyword in self._rules[entry.rule].timed

    def _common_word(self, text: str) -> bool:
        """A word of the dictionary (不是, 加个): such a homophone is meant, not a typo."""
        return (self._dictionary.get(text) or 0) >= COMMON_WORD_FREQ

    def _token_bounds(self, text: str) -> frozenset[int]:
        return frozenset(itertools.accumulate(map(len, self._segmenter.cut(text)), initial=0))

    def prepare(self, text: str) -> str:
        """The text the tagger reads: folded, simplified, typos repaired; as long as `text`."""
        return self._typos.repair(fold(text))

    def tokens(self, text: str) -> list[str]:
        """The tokens the tagger sees, for explaining a result (`siyu tag --explain`)."""
        return self._segmenter.cut(self.prepare(text))

    def tag(self, text: str) -> list[TagMatch]:
        """Tags for one message, in rule-file order; the same text always gives the same list."""
        folded = self.prepare(text)
        pieces = list(_PIECES.finditer(folded))
        # Most pieces (好的, 谢谢) hold no keyword at all; skipping them before segmenting is
        # exact, because a run of tokens is always a substring of the piece.
        separated = self._separable  # a keyword split by an insert (洗完澡)
        timed = (self._timed_candidates if self._timed_candidates is not None
                 and self._timed_candidates.search(folded) and self._language.names_time(folded) else None)
        wanted = [bool(self._candidates.in_text(piece.group())
                       or (self._classes and CLASS_CHARS.search(piece.group()))
                       or (separated is not None and separated.search(piece.group()))
                       or (timed is not None and timed.search(piece.group()))) for piece in pieces]
        aggrieved = self._grievance_trigger is not None and self._grievance_trigger.search(folded) is not None
        cued = aggrieved or self._holds_cue(folded)
        if not any(wanted) and not cued:
            return []
        found = self._find_in_pieces(pieces, wanted)
        if not cued and not any(hits for _, _, piece_hits in found.values() for hits in piece_hits):
            return []
        # In a message naming a time every piece is read: the time, a question or a wish in a piece
        # without a keyword still bears on the sentence's `timed` keywords (后天有位置吗 想来做个脸).
        timing = (frozenset(range(len(pieces))) if timed is not None and any(
            hit.keyword in self._rules[hit.rule].timed for _, _, piece_hits in found.values()
            for hits in piece_hits for hit in hits) else frozenset())
        clauses, hits = self._read(text, folded, pieces, found, cued, timing)
        read_moods(self._language, clauses, intent=self._reads_intent, negative=self._reads_negative,
                   grievance=self._grievance if aggrieved else frozenset())
        if self._reads_referring:
            self._read_referring(clauses)
        fired: dict[int, tuple[list[str], str]] = {}  # rule -> (keywords, first clause)
        last_clause: dict[int, int] = {}  # rule -> ordinal of the last clause it fired in
        fired_in: dict[int, set[int]] = {}  # rule -> ordinals of the clauses its keywords counted in
        arranged = self.arranged(folded, hits)
        for ordinal, clause in enumerate(clauses):
            for hit in self._clause_hits(clause, clauses, ordinal, hits[ordinal], arranged):
                if hit.rule not in fired:
                    fired[hit.rule] = ([], clause.text)
                last_clause[hit.rule] = ordinal
                fired_in.setdefault(hit.rule, set()).add(ordinal)
                keywords = fired[hit.rule][0]
                if hit.keyword not in keywords:
                    keywords.append(hit.keyword)
        cued_in = self._fire_cues(clauses, fired, last_clause) if cued else {}
        # Keyword hits yielded within their clause already (`_clause_hits`); only cues and a
        # rescheduled sentence reach further.
        if self._yielding and len(fired) > 1 and (cued_in or any("rescheduled" in c.moods for c in clauses)):
            self._yield_beyond_the_clause(clauses, fired, fired_in, cued_in)
        if self._exclusive and len(fired) > 1:
            self._keep_latest_state(fired, last_clause)
        return [
            TagMatch(rule.tag, rule.group, rule.rule_id, self._explained(number, keywords), clause)
            for number in sorted(fired)
            for rule in (self._rules[number],)
            for keywords, clause in (fired[number],)
        ]

    def _explained(self, number: int, keywords: list[str]) -> tuple[str, ...]:
        """The matched keywords; one a concept group added names the rule's word: 什么价（≈价格）."""
        via = self._via[number]
        return tuple(f"{word}（≈{via[word]}）" if word in via else word for word in keywords)

    def _find_in_pieces(self, pieces: list[re.Match[str]], wanted: list[bool]
                        ) -> dict[int, tuple[list[str], list[tuple[int, int]], list[list[_Hit]]]]:
        """Piece number -> (tokens, clause ranges, keyword hits per clause), for pieces with keywords."""
        found = {}
        for number, (piece, keep) in enumerate(zip(pieces, wanted, strict=True)):
            if keep:
                tokens = self._segmenter.cut(piece.group())
                ranges = _clauses(tokens)
                read = self._read_tokens(tokens, piece.group())
                hits = [self._find(self._money_heard(read[b:e])) for b, e in ranges]
                found[number] = (tokens, ranges, hits)
        return found

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
        return read

    def _money_heard(self, tokens: list[str]) -> list[str]:
        """推 typed for 退 (both tui) where the clause names money (`money_words`): 「剩下的钱推给我吧」
        asks for a refund; elsewhere 推给我 is a push (「不用推给我了」). Only a token that reads as
        a keyword with 退 changes."""
        if self._money.isdisjoint(tokens):
            return tokens
        lookup = self._lookup
        return [f"退{token[1:]}" if token[:1] == "推" and f"退{token[1:]}" in lookup else token for token in tokens]

    def _read(self, text: str, folded: str, pieces: list[re.Match[str]],
              found: dict[int, tuple[list[str], list[tuple[int, int]], list[list[_Hit]]]],
              cued: bool, timing: frozenset[int] = frozenset()) -> tuple[list[ClauseInfo], list[list[_Hit]]]:
        """The message's clauses with their markers, and the keyword hits of each."""
        clauses: list[ClauseInfo] = []
        hits: list[list[_Hit]] = []
        sentences = sentence_numbers(folded, [piece.start() for piece in pieces])
        quotations = quoted_spans(folded)
        markers = self._markers_anywhere
        for number, (piece, sentence) in enumerate(zip(pieces, sentences, strict=True)):
            if number in found:
                tokens, ranges, piece_hits = found[number]
            elif cued or number in timing or (markers is not None and markers.search(piece.group())):
                tokens = self._segmenter.cut(piece.group())
                ranges = _clauses(tokens)
                piece_hits = [[] for _ in ranges]
            else:
                continue
            asked = folded[piece.end() : piece.end() + 1] in ("?", "？")
            start = piece.start()
            position = 0
            for index, (begin, end) in enumerate(ranges):
                start += sum(map(len, tokens[position:begin]))
                clause_tokens = tokens[begin:end]
                lengths = list(itertools.accumulate(map(len, clause_tokens), initial=0))
                stop = start + lengths[-1]
                clause_text = folded[start:stop]
                bounds = frozenset(lengths)
                info = ClauseInfo(text[start:stop], clause_tokens, sentence, asked and index == len(ranges) - 1,
                                  clause_text, bounds, self._language.markers(clause_text, bounds),
                                  more_after=number < len(pieces) - 1 or index < len(ranges) - 1)
                if quotations:
                    info.quoted = tuple((max(a, start) - start, min(b, stop) - start)
                                        for a, b in quotations if a < stop and start < b)
                clauses.append(info)
                hits.append(piece_hits[index])
                start, position = stop, end
        return clauses, hits

    def _fire_cues(self, clauses: list[ClauseInfo], fired: dict[int, tuple[list[str], str]],
                   last_clause: dict[int, int]) -> dict[int, set[int]]:
        """Rules with cues fire when the weights of the cues a message holds reach the threshold;
        returns the rules that fired so, each with the clauses its cues were found in."""
        scores: dict[int, float] = {}
        found: dict[int, list[str]] = {}
        where: dict[int, set[int]] = {}
        grievances = self._language.grievances
        for ordinal, clause in enumerate(clauses):
            if clause.moods & {"hypothetical", "praised"} or (grievances.may_heal(clause.folded) and grievances.healing(
                    clause.folded, clause.bounds, self._names_money(clauses))):
                continue  # 淤青到现在还没消: a symptom not gone yet is reported, no grievance
            words = sorted(self._cue_words(clause)) + sorted(f"mood:{mood}" for mood in clause.moods)
            for word in words:
                for rule, weight in self._cues.get(word, ()):
                    if word in found.setdefault(rule, []):
                        continue
                    if word == _MOVED and not self._takes_the_move(rule, clause.sentence, clauses):
                        continue
                    found[rule].append(word)
                    scores[rule] = scores.get(rule, 0.0) + weight
                    where.setdefault(rule, set()).add(ordinal)
                    last_clause[rule] = max(last_clause.get(rule, 0), ordinal)
        cued_in: dict[int, set[int]] = {}
        for rule, score in scores.items():
            if score < self._rules[rule].cue_threshold:
                continue
            if rule not in fired:
                fired[rule] = ([w for w in found[rule] if not w.startswith("mood:")] or found[rule],
                               clauses[min(where[rule])].text)
            # A rule its keywords fired takes its cues' clauses too, when they would have fired it
            # alone: in 「说好的赠品到现在也没收到 太让人失望了」 the gift is the complaint's, no price.
            cued_in[rule] = where[rule]
        return cued_in

    def _names_money(self, clauses: list[ClauseInfo]) -> bool:
        """Whether the message names money (`money_words`): 押金还没退 is owed, not healing."""
        return any(word in clause.folded for word in self._money for clause in clauses)

    def _cue_words(self, clause: ClauseInfo) -> set[str]:
        """The cues (as written in the rules) found on token boundaries in one clause."""
        words: set[str] = set()
        folded, bounds, pattern = clause.folded, clause.bounds, self._cue_pattern
        pos = 0
        # A match off the token boundaries may hide one on them that starts inside it (当初说 off
        # 当初/说好 hides 说好), so the search goes on from the next character, not past the match.
        while pattern is not None and (match := pattern.search(folded, pos)):
            start, end = match.span()
            found = self._cues_at(match.group(), start, end, folded, bounds)
            words |= found
            pos = end if found else start + 1
        return words

    def _cues_at(self, said: str, start: int, end: int, folded: str, bounds: frozenset[int]) -> set[str]:
        """The cues that a match of the cue pattern at [start, end) is, on token boundaries."""
        if not (end in bounds or _glued_negator(said, end, bounds)):
            return set()
        if start in bounds and said in self._cues:
            return {said}
        # A cue with a gap or a number (一点*都没, #遍); a leading number was only looked behind
        # (三遍 was found as 遍), so the match is widened back over it.
        lead = start
        while lead > 0 and folded[lead - 1] in _NUMBER_CHARS:
            lead -= 1
        return {cue for begin in {start, lead} & bounds for cue, pattern in self._patterned_cues
                if pattern.fullmatch(folded[begin:end])}

    def _yield_beyond_the_clause(self, clauses: list[ClauseInfo], fired: dict[int, tuple[list[str], str]],
                                 fired_in: dict[int, set[int]], cued_in: dict[int, set[int]]) -> None:
        """`yield_to` where a keyword hit's own clause does not settle it (`_clause_hits` does that):

        - a tag its cues gave takes the clauses its cues were found in, as a keyword hit would
          (「老师上课总是在玩手机」 complains, it does not ask about a course);
        - a rule that fired on cues alone yields to a tag of the same sentence: cues are weaker
          evidence than a keyword;
        - in a sentence that moves an arrangement (`rescheduled`) one thing is moved, so a rule
          yields across the sentence (我之前约的周四，能换到周六吗 moves a booking, not a class).
        """
        rules = self._rules
        where = {number: fired_in.get(number, set()) | cued_in.get(number, set()) for number in fired}
        tag_clauses: dict[str, set[int]] = {}
        for number, ordinals in where.items():
            tag_clauses.setdefault(rules[number].tag, set()).update(ordinals)
        gone = []
        for number, ordinals in where.items():
            rule = rules[number]
            others = set().union(*(tag_clauses.get(tag, set()) for tag in rule.yield_to if tag != rule.tag))
            if not others or not ordinals:
                continue
            sentences = {clauses[other].sentence for other in others}
            by_sentence = number in cued_in and number not in fired_in

            if all(ordinal in others or (clauses[ordinal].sentence in sentences
                                         and (by_sentence or "rescheduled" in clauses[ordinal].moods))
                   for ordinal in ordinals):
                gone.append(number)
        for number in gone:
            del fired[number]

    def _takes_the_move(self, rule: int, sentence: int, clauses: list[ClauseInfo]) -> bool:
        """Whether a `rescheduled` sentence moves this rule's arrangement: a token of the sentence is
        or ends with one of its `arrangement` words (课: 体验课, 退课), or it has none and no other
        rule's is there (what is moved unnamed, 能改到后天吗, falls to the rules without any)."""
        if not self._arrangement:
            return True
        tokens = [token for clause in clauses if clause.sentence == sentence for token in clause.tokens]
        named = {number for number, words in self._arrangement.items()
                 if any(token.endswith(word) for token in tokens for word in words)}
        return rule in named if rule in self._arrangement else not named

    def _keep_latest_state(self, fired: dict[int, tuple[list[str], str]], last_clause: dict[int, int]) -> None:
        """In an exclusive group (状态) the customer's latest word counts: 之前退订了，现在想恢复推送."""
        latest: dict[str, int] = {}
        for number in fired:
            group = self._rules[number].group
            if group in self._exclusive:
                latest[group] = max(latest.get(group, 0), last_clause[number])
        for number in list(fired):
            group = self._rules[number].group
            if group in latest and last_clause[number] < latest[group]:
                del fired[number]

    def arranged(self, folded: str, hits: list[list[_Hit]]) -> frozenset[int]:
        """The rules whose `arrangement` the message names (a token is or ends with one of its
        words), read only when a `contextual` keyword was found: 「小朋友今天咳嗽，就不过去了」."""
        rules = self._rules
        if not any(hit.keyword in rules[hit.rule].contextual for clause_hits in hits for hit in clause_hits):
            return frozenset()
        tokens = [token for piece in _PIECES.findall(folded) for token in self._segmenter.cut(piece)]
        return frozenset(number for number, words in self._arrangement.items()
                         if any(token.endswith(word) for token in tokens for word in words))

    def _clause_hits(self, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int,
                     found: list[_Hit], arranged: frozenset[int] = frozenset()) -> list[_Hit]:
        """The keyword hits that count in one clause: not contained, vetoed, negated or out of mood."""
        tokens = clause.tokens
        hits = [hit for hit in found if not asks_a_not_a(tokens, hit.start)]
        if not hits:
            return []
        rules = self._rules
        # A `timed` word without its time is no word of the clause: it must not take a negator from
        # the keyword after it (我不是来问价格的), nor hide a shorter keyword inside it (能/洗 of 地毯能洗吗).
        hits = _drop_contained([h for h in hits if h.exclude or h.keyword not in rules[h.rule].timed
                                or self._at_a_time(h, clause, clauses)])
        vetoed = {h.rule for h in hits if h.exclude}
        keyword_hits = [h for h in hits if not h.exclude and h.rule not in vetoed
                        and (h.keyword not in rules[h.rule].contextual or h.rule in arranged)]
        if self._arrangement and "rescheduled" in clause.moods:  # 推迟 of an arrangement not the one moved
            keyword_hits = [h for h in keyword_hits if h.rule not in self._arrangement or not self._a_move(h, clause)
                            or self._takes_the_move(h.rule, clause.sentence, clauses)]
        rhetorical = "rhetorical" in clause.moods
        denied = [False] * len(keyword_hits) if rhetorical else negations(keyword_hits, tokens)
        kept = []
        # A rule refused here only because the clause supposes, worries or defers still names what the
        # clause is about: 「要是不做了，定金退不退」 supposes a refund, it asks no price (yield_to).
        supposed: set[str] = set()
        for hit, negated in zip(keyword_hits, denied, strict=True):
            if negated and rules[hit.rule].negatable:
                continue
            if self._in_mood(hit, clause, clauses, ordinal):
                kept.append(hit)
            elif self._yielding and clause.moods & rules[hit.rule].not_mood & _SUPPOSING:
                supposed.add(rules[hit.rule].tag)
        if len(kept) > 1 and self._lone_verbs:
            kept = self._without_lone_verbs(kept)
        if self._yielding and (len(kept) > 1 or (kept and supposed)):
            present = {rules[hit.rule].tag for hit in kept} | supposed
            kept = [hit for hit in kept if present.isdisjoint(rules[hit.rule].yield_to)]
        if len(kept) > 1:
            kept = self._not_what_is_refused(kept, tokens)
        return kept

    def _without_lone_verbs(self, hits: list[_Hit]) -> list[_Hit]:
        """A topic's verb said alone (洗 of 洗车) stands down where another topic is named in the
        clause: 「油烟机要洗一下」 is the appliance's cleaning, not a wash of clothes."""
        rules = self._rules
        topics = {hit.rule for hit in hits if not rules[hit.rule].negatable
                  and hit.keyword not in rules[hit.rule].verbs}
        return [hit for hit in hits if hit.keyword not in rules[hit.rule].verbs or not topics - {hit.rule}]

    @staticmethod
    def _a_move(hit: _Hit, clause: ClauseInfo) -> bool:
        """The hit lies on a `reschedule` marker (推迟, 往后推): its keyword is the move itself."""
        start = sum(map(len, clause.tokens[: hit.start]))
        end = start + sum(map(len, clause.tokens[hit.start : hit.end]))
        return any(m.kind == "reschedule" and m.start < end and start < m.end for m in clause.markers)

    def _not_what_is_refused(self, hits: list[_Hit], tokens: list[str]) -> list[_Hit]:
        """What an opt-out names, before it or as its object, is what the customer no longer wants
        to receive, no intent of theirs: 「优惠活动不要再发了」 and 「别再发优惠短信了」 ask no price,
        「别再发预约提醒了」 books nothing. Topics stay (「别再发水光针的广告了」 still names 水光针),
        and so does what follows a closing 了 (「不要再发了我要投诉」)."""
        rules = self._rules
        ends = [hit.end for hit in hits if rules[hit.rule].tag == OPT_OUT_TAG]
        if not ends:
            return hits
        end = max(ends)
        closed = next((i + 1 for i in range(end, len(tokens)) if tokens[i] == "了"), len(tokens))
        return [hit for hit in hits if rules[hit.rule].tag == OPT_OUT_TAG or not rules[hit.rule].negatable
                or hit.start >= closed or rules[hit.rule].group in self._exclusive]

    def _in_mood(self, hit: _Hit, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int) -> bool:
        """Whether the moods of the hit's clause suit its rule (`mood`, `not_mood`)."""
        rule = self._rules[hit.rule]
        if not rule.mood and not rule.not_mood and not rule.intent and not rule.asked:
            return True
        moods = self.hit_moods(hit, clause, clauses, ordinal)
        if (rule.intent or hit.keyword in rule.asked) and not (
                "question" in moods or self._language.intent_moods(clause)):
            return False
        if rule.mood and not moods & rule.mood:
            return False
        return not moods & rule.not_mood

    def _at_a_time(self, hit: _Hit, clause: ClauseInfo, clauses: list[ClauseInfo]) -> bool:
        """A `timed` keyword counts where its sentence names a time to come and its own clause
        none gone by (上周三过来做的 reports), and where the sentence asks or wishes, or the
        customer says what they will do (后天下午我去打光子): 今天上午来上课的时候… plans nothing."""
        language = self._language
        after = clause.tokens[hit.end : hit.end + 2]
        if language.times_named(clause)[1] or after[:1] in _DONE_AFTER_TIMED or "的" in after:
            return False  # 上周三过来做的, 做个清洁的费用, 周六来着: what the time names is done or a thing
        if any(char in token for token in clause.tokens[max(hit.start - 2, 0) : hit.start] for char in "不没别"):
            return False  # 抽不出/空, 没/空, 不/过来: a common word negated in a token of its own (抽不出)
        if after[:1] and after[0] in language.words["errands"]:
            return False  # 四点过来/取: an errand, not a visit
        sentence = [other for other in clauses if other.sentence == clause.sentence]
        if self._someone_elses(clause.tokens[: hit.start]) and not any(
                _ON_BEHALF.intersection(other.tokens) for other in sentence):
            return False  # 我/哥/下周/想来/做个: the brother's visit (a referral, if anything), unless 帮我妈约
        if not any(language.times_named(other)[0] for other in sentence):
            return False
        said = "".join(clause.tokens[hit.start : hit.end])
        if said in language.words["confirmations"] or said in language.words["proposals"]:
            # 好滴，那就周六十点 accepts a time, 周四上午十点可以吗 proposes one; in a move the move decides
            return "rescheduled" not in clause.moods and (
                said in language.words["confirmations"] or language.only_times("".join(clause.tokens[: hit.start])))
        return (not _FIRST_PERSON.isdisjoint(clause.tokens)
                or any("question" in other.moods or language.intent_moods(other) for other in sentence))

    def _other(self, token: str) -> bool:
        """Someone else: a word of `third_persons` or `speakers`, or one opening with such a word
        of two characters or more (邻居家, 同事家); never the customer's own child (`own_speakers`)."""
        return token in self._others or (len(token) > 2 and token[:2] in self._others)

    def _someone_elses(self, before: list[str]) -> bool:
        """Someone else (`third_persons`, `speakers`) is the subject before a keyword and the
        customer (我 not followed by such a word: 我/哥 is the brother) is not."""
        if not any(map(self._other, before)):
            return False
        return not any(token in _FIRST_PERSON and (i + 1 == len(before) or not self._other(before[i + 1]))
                       for i, token in enumerate(before))

    def _read_referring(self, clauses: list[ClauseInfo]) -> None:
        """Mood `referring`: someone else wants it too (邻居家小孩也想来, 我侄女也想学舞蹈)."""
        words = self._language.words
        also, wants = frozenset(words["also"]), tuple(words["also_wants"])
        for clause in clauses:
            tokens = clause.tokens
            for i, token in enumerate(tokens):
                if token not in also:
                    continue
                rest = token[1:] if len(token) > 1 else (tokens[i + 1] if i + 1 < len(tokens) else "")
                if rest.startswith(wants) and self._someone_elses(tokens[:i]):
                    clause.moods.add("referring")
                    break

    def hit_moods(self, hit: _Hit, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int) -> set[str]:
        """The clause's moods as they bear on one hit: passed, done and praised depend on where it sits."""
        moods = set(clause.moods)
        start = sum(map(len, clause.tokens[: hit.start]))
        end = start + sum(map(len, clause.tokens[hit.start : hit.end]))
        for marker in clause.markers:
            if marker.start < end and start < marker.end:
                if marker.kind == "resolved":
                    # 消/肿了: the keyword is what passed. A keyword whose own verb is the resolution's
                    # (全退, 钱/都/退了, 全/退了吧) reports it in a statement (红血丝全退了) and asks otherwise.
                    verb = any(char in self._resolution_verbs and char in hit.keyword
                               for char in clause.folded[max(start, marker.start) : min(end, marker.end)])
                    if (marker.start < start or verb) and not (verb and self._asks_for(clause, moods, hit)):
                        moods.add("passed")
                elif marker.kind == "done" and marker.end > end:
                    moods.add("done")  # 约/好的, 预约/过: the keyword is what was done
                continue  # otherwise the marker is part of the keyword itself (约好了, 不专业)
            if marker.kind == "resolved" and marker.start >= end:
                moods.add("passed")
            elif marker.kind == "done":
                moods.add("done")
            elif marker.kind == "praise" and not _praise_negated(clause, marker):
                moods.add("praised")
        if self._language.judged_by_self(clause.folded, start, end):
            moods.add("self_judged")  # 孩子数学太差了: the customer's own, no complaint about the business
        if any(a <= start and end <= b for a, b in clause.quoted):
            moods.add("quoted")  # 她说“我要投诉你们”: someone's words, quoted
        said = "".join(clause.tokens[hit.start : hit.end])
        if self._denied_later(hit.rule, clause.folded[end:]):
            moods.add("passed")  # 过敏的地方现在也不痒了: a word of the rule said again, denied, closed by 了
        for later in clauses[ordinal + 1 :]:
            if later.sentence != clause.sentence:
                break
            if any(m.kind == "resolved" for m in later.markers) or passed_later(said, later.folded):
                moods.add("passed")
        if hit.end - hit.start > 1 and "过" in said[1:-1] and "过" not in hit.keyword:
            moods |= {"done", "experienced"}  # 请/过/假, 退过/款: having done it, inside the keyword's words
        elif clause.tokens[hit.end : hit.end + 1] == ["过"] and "question" not in moods:
            moods.add("experienced")  # 投诉/过/一家店: something once done, told, not wanted now
        elif self._done_after(hit, clause, moods):
            moods.add("done")  # 我约/的是周三, 约/了/明天上午: arranged already
        before = clause.tokens[: hit.start]
        if "referring" in moods and self._someone_elses(before) and _ON_BEHALF.isdisjoint(before):
            moods.add("third_party")  # 邻居家小孩也想来: their visit, not the customer's (a referral)
        if self._named(hit, clause, moods):
            moods.add("named")  # 退款政策写得挺清楚: the policy is talked about, no refund is asked
        if "rescheduled" in moods:
            moods.discard("done")  # 约好的时间改到周三: what was arranged is being moved, still wanted
        if not moods & _NOT_STATEMENT:
            moods.add("statement")
        return moods

    def _asks_for(self, clause: ClauseInfo, moods: set[str], hit: _Hit) -> bool:
        """The clause asks yes or no, wishes, closes with 吧 (全退了吧) or disposes of something with
        把 and nothing done (把定金退了): it wants what it names."""
        return ("question" in moods or clause.folded.rstrip(_CLOSING_NON_REQUEST).endswith("吧")
                or (clause.tokens[hit.start] == "把" and all(m.kind != "done" for m in clause.markers))
                or "request" in self._language.intent_moods(clause))

    def _denied_later(self, rule: int, after: str) -> bool:
        """Later in the clause a word of the same rule is denied and closed by 了 (起疹子的地方不痒了,
        按着疼的地方现在不疼了): the symptom the clause names is over. Another clause saying so of
        another word (有点痒，不过不疼了) says nothing about this one."""
        if "了" not in after:
            return False
        pattern = self._denied_patterns.get(rule)
        if pattern is None:
            words = [normalise(word) for word in self._rules[rule].keywords
                     if GAP not in word and AMOUNT not in word and word[:1] not in _NEGATORS]
            pattern = re.compile(f"(?:{trie_regex(PASSED_NEGATORS)})(?:{trie_regex(words)})了") if words else _NEVER
            self._denied_patterns[rule] = pattern
        return pattern.search(after) is not None

    def _named(self, hit: _Hit, clause: ClauseInfo, moods: set[str]) -> bool:
        """The keyword modifies a noun of `[language] topic_heads` (退款/政策, 投诉/处理/流程, 预约/的/页面)
        in a clause that neither asks yes or no nor wishes: a thing is named, no intent said."""
        words = self._language.words
        if len(hit.spans) > 1 or hit.keyword[:1] in _NEGATORS:
            return False  # 别*发/短信, 不要/推送: an opt-out names what it stops
        after = clause.tokens[hit.end : hit.end + 3]
        if after[:1] == ["的"] or (after[:1] and after[0] in words["named_links"]):
            after = after[1:]
        if not after or after[0] not in words["topic_heads"]:
            return False
        return "question" not in moods and not self._language.intent_moods(clause)

    def _done_after(self, hit: _Hit, clause: ClauseInfo, moods: set[str]) -> bool:
        """An aspect right after the keyword (`done_aspects`: 了 with more after it, 的) in a clause
        that neither asks yes or no nor wishes: what the keyword names is arranged already."""
        words = self._language.words
        said = "".join(clause.tokens[hit.start : hit.end])
        after = clause.tokens[hit.end : hit.end + 2]
        if len(said) > 1 and said[-1] in words["done_complements"] and hit.keyword[-1:] in words["done_complements"]:
            pass  # 约好: arranged, whatever follows
        elif not after or after[0] not in words["done_aspects"]:
            return False
        elif after[0] == "了" and (len(after) < 2 or after[1] in TRAILING_PARTICLES):
            return False  # 今天请假了 announces, it does not report
        wished = any(said.startswith(word) and len(said) > len(word) for word in self._language.words["request"])
        return not wished and "question" not in moods and "request" not in self._language.intent_moods(clause)

    def _find(self, tokens: list[str]) -> list[_Hit]:
        """Every keyword and exclude phrase on token boundaries in one clause, by start token."""
        lookup, count, topics = self._lookup, len(tokens), self._inside_topics
        hits: list[_Hit] = []
        for start in range(count):
            run = ""
            for end in range(start + 1, count + 1):
                run += tokens[end - 1]
                entries = lookup.get(run)
                if entries is None:
                    break
                after = None
                for entry in entries:
                    if not entry.rest:
                        hits.append(_Hit(entry.rule, entry.keyword, start, end, ((start, end),), entry.exclude))
                        continue
                    if after is None:
                        after = "".join(tokens[end:])
                    if entry.rest[0] not in after:  # cheap reject before the token walk
                        continue
                    spans = _match_gapped(tokens, entry.rest, end, self._inside_parts, self._fillers)
                    if spans:
                        spans = ((start, end), *spans)
                        hits.append(_Hit(entry.rule, entry.keyword, start, spans[-1][1], spans, entry.exclude))
            inside = self._inside.get(tokens[start])
            if inside:
                self._find_inside(inside, start, hits)
            topic = topics.get(tokens[start]) if topics else None
            if topic is not None:  # 美容师 names 美容: for a topic rule only
                hits += [_Hit(e.rule, e.keyword, start, start + 1, ((start, start + 1),), False)
                         for e in self._index[topic]
                         if not e.rest and not e.exclude and not self._rules[e.rule].negatable]
        if self._separable is not None:
            self._find_separated(tokens, hits)
        return hits

    def _separated(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, keyword) of each two-character keyword said with words between its
        characters (洗完澡, 剪个毛, 分三期, 请过假): a verb and its object, split as Chinese splits them."""
        found = []
        for match in self._separable_words.finditer(text) if self._separable_words is not None else ():
            keyword = match.group(1) + match.group(3)
            if keyword in self._index:
                found.append((match.start(), match.end(), keyword))
        return found + self._verb_objects.split(text)

    def _find_separated(self, tokens: list[str], hits: list[_Hit]) -> None:
        text = "".join(tokens)
        found = self._separated(text)
        if found:
            starts = {offset: i for i, offset in enumerate(itertools.accumulate(map(len, tokens), initial=0))}
            found = [(starts[begin], starts[end], keyword) for begin, end, keyword in found
                     if begin in starts and end in starts]  # on token boundaries, however it is split
        if self._verb_objects:
            found += self._verb_objects.inverted(tokens)  # 机油/该/换/了
        for first, last, keyword in found:
            for entry in self._index[keyword]:
                if not entry.rest:
                    hits.append(_Hit(entry.rule, entry.keyword, first, last, ((first, last),), entry.exclude))

    def _find_inside(self, inside: tuple[str, ...], i: int, hits: list[_Hit]) -> None:
        """The keywords `inside` token i, the rest a degree word or the like: 好贵, 胀痛, 疼死."""
        for inner in inside:
            for entry in self._index[inner]:
                if not entry.rest:
                    hits.append(_Hit(entry.rule, entry.keyword, i, i + 1, ((i, i + 1),), entry.exclude))


_DONE_AFTER_TIMED = (["完"], ["过"], ["着"])
_CLOSING_NON_REQUEST = "啊呀哈嘛哦"
_SUPPOSING = frozenset({"hypothetical", "worry", "deferred"})
_NEVER = re.compile("(?!)")
_MOVED = "mood:rescheduled"
_FIRST_PERSON = frozenset(("我", "我们", "咱", "咱们", "俺"))
_ON_BEHALF = frozenset(("帮", "替", "给", "帮忙", "带"))  # 帮我妈约, 带我妈做: the customer books for her


def _spelled_keywords(keywords: Sequence[str]) -> dict[str, str]:
    """Pinyin spelling -> keyword, for the Han keywords of at least MIN_SPELLED characters; the
    first keyword keeps a spelling that two share."""
    spellings: dict[str, str] = {}
    for keyword in keywords:
        if len(keyword) >= MIN_SPELLED and AMOUNT not in keyword:
            spelling = spelled(keyword)
            if spelling is not None:
                spellings.setdefault(spelling, keyword)
    return spellings


MIN_SPELLED = 2  # a one-character keyword's syllable (tui, yue) is too short to be meant


def _needed_part(first: str, entry: _Entry) -> str:
    """The part of a keyword a piece must hold to hold the keyword: for a gapped keyword its
    longest part (the last of equals), so that 明天 of {时间}*过来 does not send every piece
    naming a day through the segmenter."""
    part = max((*reversed(entry.rest), first), key=len) if entry.rest else first
    return part.replace(AMOUNT, "")


# A piece that may hold an amount or a fee noun (amounts.py): 三千, 50块, 两块钱, 八百元, 教材费.
_CLASSED = re.compile("[0-9十百千万块元费]")


# The marker list of a mood where the two names differ (a cue on the mood reads the list).
_MOOD_MARKERS = {"rescheduled": "reschedule", "settled": "no_need", "deferred": "deferral",
                 "passed": "resolved", "praised": "praise", "negative": "negative"}
# Markers that reach other clauses: a piece holding one is read even without a keyword.
_MARKER_KINDS = ("hypothetical", "worry", "hearsay", "deferral", "resolved", "done", "remedy")
_NEGATORS = frozenset("不没别停")
_NOT_STATEMENT = frozenset({"question", "hypothetical", "worry", "hearsay", "expectation", "rhetorical", "deferred"})


def _separable_pattern(keywords: Sequence[str], inserts: Sequence[str]) -> re.Pattern[str] | None:
    """Verb, one or two inserts (了, 完, 个, 一次, 第二...), object, for the separable keywords."""
    pairs = [k for k in keywords if len(k) == 2 and all("\u4e00" <= c <= "\u9fff" for c in k)]
    if not pairs or not inserts:
        return None
    words = "|".join(sorted((re.escape(w).replace(re.escape(NUMBER), _INSERT_NUMBER)
                             for w in inserts), key=len, reverse=True))
    heads = "".join(sorted({re.escape(k[0]) for k in pairs}))
    tails = "".join(sorted({re.escape(k[1]) for k in pairs}))
    return re.compile(f"([{heads}])((?:{words}){{1,2}})([{tails}])")


def _praise_negated(clause: ClauseInfo, marker: Marker) -> bool:
    """不专业, 不太满意: praise after a negator is no praise."""
    before = clause.folded[: marker.start]
    return any(before.endswith(negator) for negator in NEGATED_PRAISE)


def _glued_negator(cue: str, end: int, bounds: frozenset[int]) -> bool:
    """The segmenter glues a negator to the verb after it (没给, 没人管, 不理): a cue that ends in
    that negator (都没 in 都/没给) or starts with it (没人 in 没人管) still counts."""
    return (cue[-1] in _GLUING_NEGATORS and end - 1 in bounds) or (len(cue) > 1 and cue[0] in _GLUING_NEGATORS)


_GLUING_NEGATORS = frozenset("没不")


def _cue_table(rules: Sequence[KeywordRule]) -> dict[str, list[tuple[int, float]]]:
    """Cue word (normalised, or "mood:<mood>") -> the rules it weighs for, with its weight."""
    table: dict[str, list[tuple[int, float]]] = {}
    for number, rule in enumerate(rules):
        for word, weight in rule.cues:
            key = word if word.startswith("mood:") else normalise(word)
            table.setdefault(key, []).append((number, weight))
    return table


def _cue_pattern(words: dict[str, object]) -> re.Pattern[str] | None:
    """One regex for the cue (or marker) words; `*` is a gap of up to three characters, `#` a number."""
    parts = sorted((w for w in words if w and not w.startswith("mood:")), key=len, reverse=True)
    if not parts:
        return None
    return re.compile("|".join(map(_cue_regex, parts)))


NUMBER = "#"  # in a cue: a number, in digits or in Chinese (三遍, 第3次, 好几次)
_NUMBER_CHARS = frozenset("0123456789一二两三四五六七八九十百千万几好多")
_NUMBER_REGEX = "(?:[0-9]+|[一二两三四五六七八九十百千万几好多]+)"
_INSERT_NUMBER = "(?:[0-9]+|[一二两三四五六七八九十百几]+)"  # 分三期; not 好多, which is no count there


def _cue_presence(cues: dict[str, object]) -> tuple[WordSet, re.Pattern[str] | None]:
    """For whether a text holds any cue word, not where: the plain words as a `WordSet`, the rest
    (gaps, numbers) as one regex whose every branch opens with a literal or, for a leading number,
    a number's character (a branch opening with a lookbehind makes the regex try every branch at
    every position: 4 % of the tagging went to that one search)."""
    words = [w for w in cues if w and not w.startswith("mood:")]
    plain = WordSet(w for w in words if GAP not in w and NUMBER not in w)
    rest = sorted((w for w in words if GAP in w or NUMBER in w), key=len, reverse=True)
    branches = [f"[{''.join(sorted(_NUMBER_CHARS))}]{_cue_regex(w[1:])}" if w.startswith(NUMBER) else _cue_regex(w)
                for w in rest]
    return plain, re.compile("|".join(branches)) if branches else None


def _cue_regex(word: str, whole: bool = False) -> str:
    """A cue as a regex. To search (`whole` false), a leading number is only looked behind: an
    alternation whose every branch opens with a literal is scanned far faster, and this one runs
    on every message."""
    if word.startswith(NUMBER) and not whole:
        return "(?<=[0-9一二两三四五六七八九十百千万几好多])" + _cue_regex(word[1:])
    return ".{0,3}?".join(_NUMBER_REGEX.join(map(re.escape, part.split(NUMBER))) for part in word.split(GAP))


def _clauses(tokens: list[str]) -> list[tuple[int, int]]:
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


def _drop_contained(hits: list[_Hit]) -> list[_Hit]:
    """Longest match wins: drop a plain hit lying inside a longer part of another hit (取消订阅 ⊃ 订阅)."""
    if len(hits) < 2:
        return hits
    return [
        hit
        for hit in hits
        if not (
            len(hit.spans) == 1
            and any(
                other is not hit and s <= hit.start and hit.end <= e and e - s > hit.end - hit.start
                for other in hits
                for s, e in other.spans
            )
        )
    ]


class SubstringTagger:
    """Baseline: the plain substring matcher most SCRMs ship (no segmentation, no negation)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._rules = [
            (rule, [(keyword, tuple(normalise(keyword).split(GAP))) for keyword in rule.keywords])
            for rule in rules.keyword_rules
        ]

    def tag(self, text: str) -> list[TagMatch]:
        folded = normalise(text)
        matches = []
        for rule, keywords in self._rules:
            matched = tuple(
                keyword
                for keyword, parts in keywords
                if (parts[0] in folded if len(parts) == 1 else _contains_in_order(folded, parts))
            )
            if matched:
                matches.append(TagMatch(rule.tag, rule.group, rule.rule_id, matched, text))
        return matches


def _contains_in_order(text: str, parts: tuple[str, ...]) -> bool:
    pos = 0
    for part in parts:
        found = text.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True
