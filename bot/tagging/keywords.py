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

The tagger is assembled from parts by what they are: `matcher` (tokens against the index),
`clause_filters` (which hits of a clause count), `hit_moods` (the moods that bear on a hit),
`cues` (cue scoring); `matches` holds what it returns, `substring` the baseline it is measured against.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from typing import NamedTuple

from bot.tagging.amounts import AMOUNT, CLASS_CHARS, FEE
from bot.tagging.clause_filters import ClauseFilters
from bot.tagging.cues import CueScoring, cue_pattern
from bot.tagging.dictionary import Dictionary
from bot.tagging.first_chars import FirstCharSearch
from bot.tagging.hit_moods import HitMoods
from bot.tagging.language import ClauseInfo, quoted_spans, sentence_numbers
from bot.tagging.matcher import PIECES, TokenMatching, clause_ranges, gapped_runs, separable_pattern
from bot.tagging.matches import Entry, Hit, TagMatch, normalise
from bot.tagging.model import Veto, mostly_latin
from bot.tagging.moods import read_moods, read_topics
from bot.tagging.negation import CORE_DENIED
from bot.tagging.opt_out import OptOutReadings
from bot.tagging.patterns import compile_pattern
from bot.tagging.rules import GAP, OPT_OUT_TAG, KeywordRule, RuleSet
from bot.tagging.script import (PhraseJoiner, TypoRepair, WordSet, alias_table, fold, spelled, syllables,
                                trie_pattern)
from bot.tagging.segmenter import Segmenter
from bot.tagging.swallowing import SwallowingWords
from bot.tagging.verb_object import VerbObjects
from bot.tagging.words import DEFAULT_ALIASES

logger = logging.getLogger(__name__)

# High enough that a keyword beats the rarer dictionary words it overlaps (分期付款 -> 分期/付款,
# 想到店 -> 想/到店) while common words still win (不适合 stays whole, so 不适 does not fire).
# Single characters are never boosted: that would split 大约 into 大/约.
KEYWORD_FREQ = 10_000_000
COMMON_WORD_FREQ = 3  # jieba's dictionary lists rare words with 1 or 2; 不是 has 100,000+
EVERYDAY_WORD_FREQ = 1_000  # 不会 (19,515), 多少 (10,457); 子方 (8) is no word a customer writes
# Markers that reach other clauses: a piece holding one is read even without a keyword. Acceptance,
# lateness and a check are read over the sentence (水光针的价位，我心里有数; 我约的三点，可能会晚到十分钟;
# 确认一下，周六十点的面诊对吧), and a time during the treatment reaches the next clause (做的时候，有点烫).
_MARKER_KINDS = ("hypothetical", "worry", "hearsay", "deferral", "resolved", "done", "remedy", "visit_wishes",
                 "acceptance", "lateness", "confirming", "during")
# Markers whose mood holds only where their sentence asks nothing: a message with one is read whole.
_SENTENCE_KINDS = ("acceptance", "confirming")


# Inserts a split verb-object keyword is heard with by sound (清个假 for 请个假).
_SOUNDED_INSERTS = ("个", "了", "过", "次")


class Checked(NamedTuple):
    """One message's tags after the learned check: `tags` as `KeywordTagger.tag` gives them; `dropped`
    the rules' tags the model took back and `added` those it gave (`matched`: the words that weighed
    most), each with the model's chance."""

    tags: list[TagMatch]
    dropped: list[tuple[TagMatch, float]]
    added: list[tuple[TagMatch, float]]


class KeywordTagger(TokenMatching, ClauseFilters, HitMoods, OptOutReadings, CueScoring):
    """Tags messages with a rule set's keyword rules. Build once; `tag` is read-only and thread-safe."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._rules: tuple[KeywordRule, ...] = rules.keyword_rules
        self._language = rules.language
        # The rules' own acts as a question's premise (刻字的话字数有限制吗, 换货的话要寄回去吗): see moods.py.
        self._premises = tuple(sorted({word for rule in rules.keyword_rules for word in rule.keywords
                                       if len(word) >= 2 and not set(word) & set("*{}#")}))
        # First part of every keyword -> what it may start; a message is scanned once, looking
        # up runs of tokens, so cost grows with the message, not with the number of keywords.
        self._index: dict[str, list[Entry]] = {}
        words: list[str] = list(map(normalise, rules.dictionary_words))
        sounded: list[str] = []
        via = [dict(rule.via) for rule in self._rules]
        every = [keyword for rule in self._rules for keyword in (*rule.keywords, *rule.exclude)]
        normal = dict(zip(every, _normalised(every), strict=True))  # each keyword as the index reads it
        for number, rule in enumerate(self._rules):
            for keyword, is_exclude in [(k, False) for k in rule.keywords] + [(k, True) for k in rule.exclude]:
                first, *rest = normal[keyword].split(GAP)
                self._index.setdefault(first, []).append(Entry(number, keyword, tuple(rest), is_exclude))
                if rest:  # the parts with nothing between may be one word of the segmenter (不要推送)
                    whole = first + "".join(rest)
                    self._index.setdefault(whole, []).append(Entry(number, keyword, (), is_exclude))
                if AMOUNT in keyword:
                    continue  # a class of tokens (#以内), not a word for the segmenter or for sound
                if (keyword in rule.timed or keyword in rule.abbreviations or keyword in rule.heads) and not is_exclude:
                    continue  # 做个, 过来, 坡起: read as jieba cuts them, neither boosted nor read by sound
                words += [first, *rest]
                # A concept group's words are not read by sound: 秃了 must not become 吐了.
                if rule.pinyin and not is_exclude and keyword not in via[number]:
                    sounded += [first, *rest]
        # Every proper prefix of a first part maps to (): a run that is not even a prefix ends
        # the scan from that token at once, which is most runs.
        self._lookup: dict[str, Sequence[Entry]] = {
            first[:cut]: () for first in self._index for cut in range(1, len(first))
        }
        self._lookup.update(self._index)
        self._gapped_runs = gapped_runs(self._index)
        # A rule's own words typed in pinyin (tiemo, baoyang, xuefei) read as the words, unless the
        # rule says `pinyin = false`; the default vocabulary and `[aliases]` win for the same spelling.
        # A rule file's `[aliases]` add to the default vocabulary's spellings of the same word.
        spellings = {word: (*DEFAULT_ALIASES.get(word, ()), *extra) for word, extra in rules.aliases}
        spellings = {**DEFAULT_ALIASES, **spellings}
        self._aliases = {**_spelled_keywords(sounded), **alias_table(spellings)}
        # how much -> howmuch, one token; a rule's own word typed syllable by syllable, dao na le -> daonale
        self._phrases = PhraseJoiner(spellings, _syllables_of(sounded))
        # A piece can hold a keyword only if it holds each of its parts (`_needed_part`). A `timed`
        # keyword (过来, 做) makes a piece worth segmenting only in a message naming a time.
        needed: set[str] = set()
        timed_needed: set[str] = set()
        for first, entries in self._index.items():
            for entry in entries:
                (timed_needed if self._is_timed(entry) else needed).add(_needed_part(first, entry))
        self._timed_candidates = (trie_pattern(sorted(timed_needed - needed - {""}))
                                  if timed_needed - needed - {""} else None)
        # Keywords on a class of tokens (#以内, 费): an amount or a fee noun is read as its class.
        self._classes = AMOUNT in "".join(self._index) or FEE in self._index
        # A piece is worth segmenting if it holds a keyword (or, below, a keyword split by an insert).
        self._candidates = WordSet(sorted(needed - {""}) + list(self._aliases))
        # A verb-object keyword split by a light insert is heard by sound as well: 清个假 is 请个假.
        separable = frozenset(self._language.words["separable"])
        sounded += [word[0] + insert + word[1] for word in dict.fromkeys(sounded)
                    if len(word) == 2 and word in separable for insert in _SOUNDED_INSERTS]
        self._typos = TypoRepair(dict.fromkeys(sounded), is_word=self._common_word, bounds=self._token_bounds,
                                 meant=self._takes_its_object, everyday=self._everyday_word)
        self._build_cues()
        self._markers_anywhere = cue_pattern({w.split(GAP)[0]: [] for k in _MARKER_KINDS for w in
                                               self._language.marker_words(k)})
        self._sentence_markers = cue_pattern({w.split(GAP)[0]: [] for k in _SENTENCE_KINDS for w in
                                              self._language.marker_words(k)})
        no_split = frozenset(map(normalise, rules.dictionary_words))
        plain = [first for first, entries in self._index.items() if any(not e.rest for e in entries)]
        # A keyword inside a longer token (好贵, 胀痛), `self._inside` below; the same for the parts
        # after a gap: 别*发 in 别再/给我发 (jieba's word 给我发).
        affixes = self._language.split_prefixes, self._language.split_suffixes
        later = {part for entries in self._index.values() for e in entries for part in e.rest}
        self._inside_parts = SwallowingWords(later, *affixes, no_split)
        self._fillers = frozenset(self._language.words["gap_fillers"])
        self._glued_modals = frozenset(self._language.words["glued_modals"])
        pairs = [word for word in self._language.words["question_words"] if len(word) == 2]
        self._cut_words = frozenset(pairs + [word[0] for word in pairs])
        # A topic named inside a longer word (美容师, 染发剂, 美甲店): `topic_suffixes`, topic rules only.
        topics = [first for first, entries in self._index.items() if len(first) > 1 and AMOUNT not in first
                  and any(not e.rest and not e.exclude and not self._rules[e.rule].negatable for e in entries)]
        self._inside_topics = {topic + suffix: topic for suffix in self._language.words["topic_suffixes"]
                               for topic in topics if topic + suffix not in no_split}
        # A topic of three characters or more is a shortened word (模拟考 of 模拟考试): the segmenter's
        # word one character longer that opens with it names it, whatever else the dictionary holds.
        self._topic_stems = frozenset(topic for topic in topics if len(topic) >= 3
                                      and all("\u4e00" <= char <= "\u9fff" for char in topic))
        self._no_split = no_split
        self._money = frozenset(self._language.words["money_words"])
        lists = self._language.words
        self._others = (frozenset(lists["third_persons"]) | frozenset(lists["speakers"])) - frozenset(
            lists["own_speakers"])
        self.words = list(dict.fromkeys(words))  # what the segmenter keeps whole, besides jieba's own
        self._dictionary = Dictionary(self.words, KEYWORD_FREQ)
        self._segmenter = Segmenter(self._dictionary)
        self._via = via
        separable_words = frozenset(self._language.words["separable"])
        self._separable = self._separable_words = separable_pattern([k for k, entries in self._index.items()
                                                          if k in separable_words
                                                          and any(not e.rest and not e.exclude for e in entries)],
                                             self._language.words["separable_inserts"])
        # A rule's own verb-object keywords (洗鞋, 换机油), split, inverted, with the object's noun.
        self._verb_objects = VerbObjects(
            [e.keyword for first, entries in self._index.items() for e in entries
             if first == normal[e.keyword] and not e.rest and not e.exclude and e.keyword not in via[e.rule]],
            self._language.words)
        verb_objects = self._verb_objects.pattern
        if verb_objects is not None:
            self._separable = (compile_pattern(f"{self._separable.pattern}|{verb_objects.pattern}")
                               if self._separable is not None else verb_objects)
        # Whether a piece may hold a split keyword, searched from where one can begin (first_chars.py).
        self._separable_search = FirstCharSearch(self._separable) if self._separable is not None else None
        # A verb glued to a full noun holds the verb-object keyword: 洗衣服 holds 洗衣.
        self._inside = SwallowingWords(plain, *affixes, no_split, extra=self._verb_objects.glued)
        # Asking and wishing are moods of every clause only when a rule names them; `intent` and
        # `asked` read them for the clauses of their hits alone.
        self._reads_negative = any("negative" in rule.mood | rule.not_mood or any(
            word == "mood:negative" for word, _ in rule.cues) for rule in self._rules)
        self._reads_intent = any((rule.mood | rule.not_mood) & {"asking", "request"}
                                 or any(word in ("mood:asking", "mood:request") for word, _ in rule.cues)
                                 for rule in self._rules)
        self._reads_topics = any(rule.intent or rule.asked or rule.timed for rule in self._rules)
        self._resolution_verbs = frozenset("".join(self._language.words["resolution_verbs"]))
        self._complements = tuple(self._language.words["resolution_complements"])
        self._denied_patterns: dict[int, re.Pattern[str]] = {}  # rule -> its words denied and closed by 了
        # What each rule's arrangement is named by (`arrangement`): a sentence that moves something
        # moves the arrangement it names (周日的课改到周六 is leave, 周三那个号往后挪 a booking).
        self._arrangement = {number: tuple(dict.fromkeys(map(normalise, rule.arrangement)))
                             for number, rule in enumerate(self._rules) if rule.arrangement}
        self._reads_referring = any(word == "mood:referring" for rule in self._rules for word, _ in rule.cues)
        self._exclusive = frozenset(rules.exclusive_groups)
        self._declining = frozenset(number for number, rule in enumerate(self._rules) if rule.tag == OPT_OUT_TAG)
        # A rule its cues alone fired yields to the opt-out whatever its `yield_to` (clause_filters.py).
        self._yielding = any(rule.yield_to for rule in self._rules) or bool(
            self._declining and any(rule.cues for rule in self._rules if rule.tag != OPT_OUT_TAG))
        # Moods whose refusal the learned check does not overrule ([model] decisive: 这个价位我能接受).
        self._decisive = rules.model.decisive if rules.model is not None else frozenset()
        self._lone_verbs = any(rule.verbs for rule in self._rules)
        self._ceding = any(rule.cede for rule in self._rules)
        self._heads = {number: frozenset(verb for verb in rule.heads if len(verb) == 1)
                       for number, rule in enumerate(self._rules) if rule.heads}
        self._aspects = frozenset(self._language.words["verb_aspects"])
        # The learned check ([model]): takes back a fired rule's tag the model finds unlikely and gives one
        # it finds near certain; the opt-out it may give but never takes back (a missed 退订 costs more), nor
        # a rule checked by one of the model's add-only tags (common trade tags: docs/tagging.md).
        self._veto = Veto(rules.model, [rule.model for rule in self._rules], [rule.tag for rule in self._rules],
                          [number for number, rule in enumerate(self._rules)
                           if rule.tag == OPT_OUT_TAG or rule.model_adds_only]) \
            if rules.model is not None else None
        logger.info(
            "keyword tagger ready: %d rules, %d keywords, rules version %s",
            len(self._rules),
            len(self._index),
            rules.version,
        )


    def _is_timed(self, entry: Entry) -> bool:
        return not entry.exclude and entry.keyword in self._rules[entry.rule].timed

    def _common_word(self, text: str) -> bool:
        """A word of the dictionary (不是, 加个): such a homophone is meant, not a typo."""
        return (self._dictionary.get(text) or 0) >= COMMON_WORD_FREQ

    def _everyday_word(self, text: str) -> bool:
        """A word of jieba's own that people write often (不会), not one the rules added."""
        return EVERYDAY_WORD_FREQ <= (self._dictionary.get(text) or 0) < KEYWORD_FREQ

    def _takes_its_object(self, written: str, keyword: str, after: str) -> bool:
        """A typed verb that differs from the keyword's (拍 for 排) and is followed, up to a measure
        (个, 张, 一下), by one of its nouns (`[language] verbs`, `object_nouns`: 拍个照片): meant as typed."""
        words = self._language.words
        typed = {a for a, b in zip(written, keyword, strict=True) if a != b}
        if not typed & set(words["verbs"]):
            return False
        rest = after.lstrip("个张下一次几两")
        return rest.startswith(words["object_nouns"])

    def _token_bounds(self, text: str) -> frozenset[int]:
        return frozenset(itertools.accumulate(map(len, self._segmenter.cut(text)), initial=0))

    def prepare(self, text: str, folded: str | None = None) -> str:
        """The text the tagger reads: folded, simplified, typos repaired; as long as `text`. `folded`:
        `fold(text)`, where the caller has it (the learned check reads it too)."""
        return self._typos.repair(self._phrases.join(fold(text) if folded is None else folded))

    def tokens(self, text: str) -> list[str]:
        """The tokens the tagger sees, for explaining a result (`siyu tag --explain`)."""
        return self._segmenter.cut(self.prepare(text))

    def tag(self, text: str) -> list[TagMatch]:
        """Tags for one message, in rule-file order; the same text always gives the same list."""
        return self.tag_checked(text)[0]

    def tag_checked(self, text: str) -> Checked:
        """`tag`'s tags (the learned check's additions among them), those the rules gave but the
        learned check (`[model]`) took back, and those it added, each with the model's chance."""
        folded = fold(text)
        declined: set[int] = set()
        fired = self._fired(text, folded, declined)
        if self._veto is None:
            return Checked([self._match(number, *fired[number]) for number in sorted(fired)], [], [])
        dropped, candidates = self._veto.decide(folded, fired)
        if dropped and mostly_latin(folded):
            dropped = {}  # Your technician was rude… 非常失望: the model knows Chinese n-grams, not English
        for number in declined:
            candidates.pop(number, None)  # the rules read the refusal as no opt-out (opt_out.py): none is added
        kept = {number: fired[number] for number in fired if number not in dropped}
        added = self._admitted(candidates, kept)
        for number in added:
            kept[number] = (self._veto.evidence(text, number), text)
        return Checked([self._match(number, *kept[number]) for number in sorted(kept)],
                       [(self._match(number, *fired[number]), chance) for number, chance in sorted(dropped.items())],
                       [(self._match(number, *kept[number]), chance) for number, chance in sorted(added.items())])

    def _admitted(self, candidates: dict[int, float], kept: dict[int, tuple[list[str], str]]) -> dict[int, float]:
        """The learned check's additions that may stand: not in an exclusive group (状态) a kept rule or a
        likelier addition holds, and not yielding (`yield_to`) to a kept tag."""
        if not candidates:
            return {}
        rules = self._rules
        tags = {rules[number].tag for number in kept}
        groups = {rules[number].group for number in kept} & self._exclusive
        admitted: dict[int, float] = {}
        for number, chance in sorted(candidates.items(), key=lambda item: (-item[1], item[0])):
            rule = rules[number]
            if rule.group in groups or tags.intersection(rule.yield_to):
                continue
            if rule.group in self._exclusive:
                groups.add(rule.group)
            admitted[number] = chance
        return admitted

    def _fired(self, text: str, folded: str, declined: set[int] | None = None) -> dict[int, tuple[list[str], str]]:
        """The rules the keywords fire: rule -> (its keywords, the first clause); `folded` is `fold(text)`.
        `declined` gets the opt-out rule where an opt-out reading refused its hit and it fired nowhere else."""
        folded = self.prepare(text, folded)
        pieces = list(PIECES.finditer(folded))
        # Most pieces (好的, 谢谢) hold no keyword at all; skipping them before segmenting is
        # exact, because a run of tokens is always a substring of the piece.
        separated = self._separable_search  # a keyword split by an insert (洗完澡)
        timed = (self._timed_candidates if self._timed_candidates is not None
                 and self._timed_candidates.search(folded) and self._language.names_time(folded) else None)
        wanted = [bool(self._candidates.in_text(piece.group())
                       or (self._classes and CLASS_CHARS.search(piece.group()))
                       or (separated is not None and separated.search(piece.group()))
                       or (timed is not None and timed.search(piece.group()))) for piece in pieces]
        if any(wanted) and not all(wanted) and CORE_DENIED.search(folded):
            # 渗水那块做了防水，这几天没再渗了: a piece that says a keyword over by one of its characters is read
            wanted = [want or CORE_DENIED.search(piece.group()) is not None
                      for want, piece in zip(wanted, pieces, strict=True)]
        aggrieved = self._grievance_trigger is not None and self._grievance_trigger.search(folded) is not None
        cued = aggrieved or self._holds_cue(folded)
        if not any(wanted) and not cued:
            return {}
        found = self._find_in_pieces(pieces, wanted)
        if not cued and not any(hits for _, _, piece_hits in found.values() for hits in piece_hits):
            return {}
        # In a message naming a time every piece is read: the time, a question or a wish in a piece
        # without a keyword still bears on the sentence's `timed` keywords (后天有位置吗 想来做个脸).
        timing = (frozenset(range(len(pieces))) if timed is not None and any(
            hit.keyword in self._rules[hit.rule].timed for _, _, piece_hits in found.values()
            for hits in piece_hits for hit in hits) else frozenset())
        # So in a message that accepts or checks something: its sentence decides whether it asks (还算值，还能少点不).
        if not timing and self._sentence_markers is not None and self._sentence_markers.search(folded):
            timing = frozenset(range(len(pieces)))
        clauses, hits = self._read(text, folded, pieces, found, cued, timing)
        read_moods(self._language, clauses, intent=self._reads_intent, negative=self._reads_negative,
                   grievance=self._grievance if aggrieved else frozenset(), premises=self._premises)
        if self._reads_referring:
            self._read_referring(clauses)
        if self._reads_topics:
            self._read_topics(clauses, hits)
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
        for number in [n for n in cued_in if n not in fired_in and n in self._declining]:
            if all(number in clauses[ordinal].declined for ordinal in cued_in[number]):
                del fired[number], cued_in[number]  # 电话别打了，我在开会，有事发微信: no opt-out, cues or not
        # Keyword hits yielded within their clause already (`_clause_hits`); only cues and a
        # rescheduled sentence reach further.
        if self._yielding and len(fired) > 1 and (cued_in or any("rescheduled" in c.moods for c in clauses)):
            self._yield_beyond_the_clause(clauses, fired, fired_in, cued_in)
        if self._exclusive and len(fired) > 1:
            self._keep_latest_state(fired, last_clause)
        if declined is not None:
            declined.update(number for clause in clauses for number in clause.declined if number not in fired)
        return fired

    def _match(self, number: int, keywords: list[str], clause: str) -> TagMatch:
        rule = self._rules[number]
        return TagMatch(rule.tag, rule.group, rule.rule_id, self._explained(number, keywords), clause)

    def _explained(self, number: int, keywords: list[str]) -> tuple[str, ...]:
        """The matched keywords; one a concept group added names the rule's word: 什么价（≈价格）."""
        via = self._via[number]
        return tuple(f"{word}（≈{via[word]}）" if word in via else word for word in keywords)

    def _read_topics(self, clauses: list[ClauseInfo], hits: list[list[Hit]]) -> None:
        """`read_topics` where a clause holds a hit of an enquiry rule (`intent` or `asked`) or a `timed` word
        (下班过去大概八点，还有师傅吗): only there does a question after it bear on a tag."""
        rules = self._rules

        def enquired(ordinal: int) -> bool:
            return any(rules[h.rule].intent or h.keyword in rules[h.rule].asked or h.keyword in rules[h.rule].timed
                       for h in hits[ordinal])

        read_topics(self._language, clauses, [bool(clause_hits) for clause_hits in hits], enquired)

    def _read(self, text: str, folded: str, pieces: list[re.Match[str]],
              found: dict[int, tuple[list[str], list[tuple[int, int]], list[list[Hit]]]],
              cued: bool, timing: frozenset[int] = frozenset()) -> tuple[list[ClauseInfo], list[list[Hit]]]:
        """The message's clauses with their markers, and the keyword hits of each."""
        clauses: list[ClauseInfo] = []
        hits: list[list[Hit]] = []
        sentences = sentence_numbers(folded, [piece.start() for piece in pieces])
        quotations = quoted_spans(folded)
        markers = self._markers_anywhere
        for number, (piece, sentence) in enumerate(zip(pieces, sentences, strict=True)):
            if number in found:
                tokens, ranges, piece_hits = found[number]
            elif cued or number in timing or (markers is not None and markers.search(piece.group())):
                tokens = self._segmenter.cut(piece.group())
                ranges = clause_ranges(tokens)
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
                                  more_after=number < len(pieces) - 1 or index < len(ranges) - 1,
                                  follows=folded[stop:], precedes=folded[:start])
                if quotations:
                    info.quoted = tuple((max(a, start) - start, min(b, stop) - start)
                                        for a, b in quotations if a < stop and start < b)
                clauses.append(info)
                hits.append(piece_hits[index])
                start, position = stop, end
        return clauses, hits


def _normalised(words: list[str]) -> list[str]:
    """`normalise` of each word, in one pass in C: folding keeps each character's place, so the words
    joined by NUL (which no fold makes or changes) and folded split back into the words folded."""
    joined = "\0".join(words)
    if not words or joined.count("\0") != len(words) - 1:
        return list(map(normalise, words))
    return normalise(joined).split("\0")


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


def _syllables_of(keywords: Sequence[str]) -> list[tuple[str, ...]]:
    """The syllables of each keyword `_spelled_keywords` spells, for the pinyin typed apart."""
    return [said for keyword in dict.fromkeys(keywords) if len(keyword) >= MIN_SPELLED and AMOUNT not in keyword
            and (said := syllables(keyword)) is not None]


MIN_SPELLED = 2  # a one-character keyword's syllable (tui, yue) is too short to be meant


def _needed_part(first: str, entry: Entry) -> str:
    """The part of a keyword a piece must hold to hold the keyword: for a gapped keyword its
    longest part (the last of equals), so that 明天 of {时间}*过来 does not send every piece
    naming a day through the segmenter."""
    part = max((*reversed(entry.rest), first), key=len) if entry.rest else first
    return part.replace(AMOUNT, "")
