"""Cues: words and moods that weigh for a rule (`cues`, `cue_threshold`) where no keyword need be said.

A rule fires on cues when the weights of the cues a message holds reach its threshold
(「呵呵，你们可真专业」 holds no complaint word). A cue is found on token boundaries; `*` in a cue is
a gap of up to three characters, `#` a number (三遍, 第3次); "mood:<mood>" weighs a clause's mood.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.tagging.concepts import DEFAULT_CONCEPTS, FAMILIES
from bot.tagging.first_chars import FirstCharSearch
from bot.tagging.grievance import GRIEVANCE_MOODS, SPANNING_MOODS
from bot.tagging.matches import normalise
from bot.tagging.ownership import MOVED
from bot.tagging.language import ClauseInfo, Language
from bot.tagging.patterns import compile_pattern
from bot.tagging.rules import GAP, KeywordRule
from bot.tagging.script import WordSet

NUMBER = "#"  # in a cue: a number, in digits or in Chinese (三遍, 第3次, 好几次)
_NUMBER_CHARS = frozenset("0123456789一二两三四五六七八九十百千万几好多")
_NUMBER_REGEX = "(?:[0-9]+|[一二两三四五六七八九十百千万几好多]+)"
# The marker list of a mood where the two names differ (a cue on the mood reads the list).
_MOOD_MARKERS = {"rescheduled": "reschedule", "changed": "swaps", "settled": "no_need", "deferred": "deferral",
                 "passed": "resolved", "praised": "praise", "negative": "negative"}
# Someone else's words about someone else's case (朋友说她在别家等了一个多小时都没人管): a rule that refuses one of
# these moods weighs no cue of a clause that has it and names such a person but not the business.
_SOMEONE_ELSES = frozenset({"hearsay", "reported", "quoted"})
_DENIALS = ("没", "不", "无")  # a clause that denies: see `_good_news`
# A clause that supposes, praises, tells another business's fault to prefer this one, echoes a word to deny it
# (投诉？不存在的) or tells of a complaint made against the customer (邻居投诉我们家太吵: the judgement is the
# accuser's, `accused`) weighs no cue.
_NO_GRIEVANCE = frozenset({"hypothetical", "worry", "praised", "compared", "rebutted", "teasing", "doubted", "accused"})
# The words of a grievance mood, weighed as cues of their own too (多扣 beside `overcharged`).
_GRIEVANCE_WORDS = {"overcharged": "overcharge"}


class CueScoring:
    """The keyword tagger's cue scoring: which cues a clause holds and which rules they fire."""

    _rules: tuple[KeywordRule, ...]
    _language: Language
    _money: frozenset[str]

    def _build_cues(self) -> None:
        """The cue table and the patterns that find cues, built once with the tagger."""
        self._cues = _cue_table(self._rules)
        # Searched from where a cue can begin (first_chars.py): a cue after a number is looked for
        # behind, and that branch leaves the regex engine no first characters to skip to.
        pattern = cue_pattern(self._cues)
        self._cue_pattern = FirstCharSearch(pattern) if pattern is not None else None
        self._patterned_cues = [(cue, compile_pattern(_cue_regex(cue, whole=True))) for cue in self._cues
                                if not cue.startswith("mood:") and (GAP in cue or NUMBER in cue)]
        # A cue on a mood ("mood:rhetorical") makes a message worth reading when it has that mood.
        mood_kinds = [key[5:] for key in self._cues if key.startswith("mood:") and key != "mood:negative"
                      and key[5:] not in GRIEVANCE_MOODS]
        # The grievance moods (persisting, elapsed…) a rule weighs: read only then, and a message is
        # worth reading for them when it holds one of their trigger words.
        self._grievance = frozenset(key[5:] for key in self._cues if key[5:] in GRIEVANCE_MOODS
                                    and key.startswith("mood:")) | frozenset(
            mood for rule in self._rules for mood in (rule.mood | rule.not_mood) if mood in GRIEVANCE_MOODS)
        self._grievance_trigger = self._language.grievance_trigger if self._grievance else None
        # 太慢 is found by its own pattern: the negative words alone (慢, 差) are in too many messages.
        self._negative_cue = "mood:negative" in self._cues
        # Whether a message holds a cue word (`_cue_presence`) or a strong judgement (太慢).
        self._plain_cues, other_cues = _cue_presence(self._cues)
        self._other_cues = FirstCharSearch(other_cues) if other_cues is not None else None
        self._negative = self._language.negative_pattern if self._negative_cue else None
        mood_words = [w for kind in mood_kinds if kind != "referring"
                      for w in self._language.words.get(_MOOD_MARKERS.get(kind, kind), ())]
        if "changed" in mood_kinds:  # a party changed (多加一个人) is `changed` as a swap is
            mood_words += self._language.words["party_changes"]
        if "referring" in mood_kinds:  # 也 alone is in too many messages: 也 with what is wanted (也想, 也打算)
            words_of = self._language.words
            mood_words += [also + want for also in words_of["also"] for want in words_of["also_wants"]]
            # someone else's child who wishes (同事的女儿想学, 邻居家孩子打算报): 的 or 家, the child, the wish
            mood_words += self._language.child_wishes
            # someone else's question passed on (表妹在问你们): 问 alone, and a wish of the customer's own
            # (想问, 想了解, 想给孩子报), are in too many messages to read every piece of them; a rule's {亲友}想问
            # still finds those
            mood_words += [word for word in words_of["relayed"] if len(word) > 1 and not word.startswith("想")]
            mood_words += ["问" + business for business in words_of["business"]]
        self._mood_cues = cue_pattern(dict.fromkeys(mood_words, []))
        # A cue that is also a sign of discomfort (吐了) is that sign when said of a person: see `_a_sign`.
        self._sign_cues = frozenset(self._cues).intersection(
            word for group in FAMILIES["不适"] for word in DEFAULT_CONCEPTS.get(group, ()))
        words_of = self._language.words
        self._persons = frozenset(words_of["own_speakers"] + words_of["third_persons"])
        self._other_people = frozenset(words_of["third_persons"] + words_of["speakers"]) - frozenset(
            words_of["staff"] + words_of["own_speakers"])
        self._business_words = frozenset(words_of["business"])

    def _holds_cue(self, folded: str) -> bool:
        """Whether a message holds a cue word, a strong judgement (太慢) or a marker of a mood a cue names."""
        return bool(self._plain_cues.in_text(folded)
                    or (self._other_cues is not None and self._other_cues.search(folded))
                    or (self._negative is not None and self._negative.search(folded))
                    or (self._mood_cues is not None and self._mood_cues.search(folded)))

    def _fire_cues(self, clauses: list[ClauseInfo], fired: dict[int, tuple[list[str], str]],
                   last_clause: dict[int, int]) -> dict[int, set[int]]:
        """Rules with cues fire when the weights of the cues a message holds reach the threshold;
        returns the rules that fired so, each with the clauses its cues were found in."""
        scores: dict[int, float] = {}
        found: dict[int, list[str]] = {}
        where: dict[int, set[int]] = {}
        grievances = self._language.grievances
        remedied = self._remedied(fired)
        for ordinal, clause in enumerate(clauses):
            if clause.moods & _NO_GRIEVANCE or self._good_news(clause) or (grievances.may_heal(
                    clause.folded) and grievances.healing(clause.folded, clause.bounds, self._names_money(clauses))):
                continue  # 淤青到现在还没消: a symptom not gone yet is reported, no grievance (nor another business's)
            # 做完到现在一周了, 打完三天了: days since a treatment (`treated`) date a reaction, they wait for nothing
            moods = clause.moods - {"elapsed"} if any(m.kind == "treated" for m in clause.markers) else clause.moods
            words = sorted(self._cue_words(clause)) + sorted(f"mood:{mood}" for mood in moods)
            theirs = clause.moods & _SOMEONE_ELSES if words else frozenset()
            if theirs and not self._of_someone_else(clause, clauses[: ordinal + 1]):
                theirs = frozenset()
            for word in words:
                if word in self._sign_cues and self._a_sign(clause):
                    continue  # 小朋友早上吐了: the child was sick, nobody scoffs
                for rule, weight in self._cues.get(word, ()):
                    if word in found.setdefault(rule, []) or theirs & self._rules[rule].not_mood:
                        continue
                    if word in remedied and rule not in fired:
                        continue  # 多扣了我两百，麻烦退一下: the padded bill is the refund's reason

                    if word == MOVED and not self._takes_the_move(rule, clause.sentence, clauses):
                        continue
                    found[rule].append(word)
                    scores[rule] = scores.get(rule, 0.0) + weight
                    where.setdefault(rule, set()).add(ordinal)
                    if word[5:] in SPANNING_MOODS:  # 约的两点，都快三点了: the sentence is the grievance's
                        where[rule].update(n for n, other in enumerate(clauses) if other.sentence == clause.sentence)
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

    def _remedied(self, fired: dict[int, tuple[list[str], str]]) -> frozenset[str]:
        """The grievance cues (and their words) that a rule fired on its own keywords also weighs: the wrong is the
        reason for what that rule asks (多扣了我两百，麻烦退一下 asks the money back), no cue of a rule its keywords
        did not fire (a complaint needs more: 多扣了我两百，太离谱了，退给我)."""
        moods = {word for rule in fired for word, _ in self._rules[rule].cues
                 if word.startswith("mood:") and word[5:] in _GRIEVANCE_WORDS}
        words_of = self._language.words
        return frozenset(moods).union(word for mood in moods for word in words_of.get(_GRIEVANCE_WORDS[mood[5:]], ()))

    def _good_news(self, clause: ClauseInfo) -> bool:
        """A clause that denies something, followed by a clause that is nothing but praise (一点不适都没有，挺好) or
        after one that closes with praise in its sentence and opens with no contrast (品质很好，戴了半年一点没变): what
        it denies was feared, not wanted, so its cues (一点*都没, 到现在) weigh nothing; 「呵呵，挺好」 denies nothing
        and still scoffs, 「老师很好，就是从来不回消息」 turns to a grievance."""
        if not any(negator in clause.folded for negator in _DENIALS):
            return False
        language = self._language
        return language.judged_after(clause.follows) or (
            language.judged_before(clause.precedes) and not clause.folded.startswith(language.words["contrasts"]))

    def _of_someone_else(self, clause: ClauseInfo, so_far: list[ClauseInfo]) -> bool:
        """Someone else (朋友, 我妈, 邻居, 有人) is named in the clause or before it in its sentence, and the clause
        names neither the business (你们) nor the customer (我): what is reported is that person's own case.
        「你们咨询师说的和医生说的不一样」 and 「朋友说你们家不错，结果我来了等了一个小时」 are the customer's."""
        tokens = clause.tokens
        people = self._other_people
        if any(token in self._business_words or (token == "我" and not people.intersection(tokens[i + 1 : i + 2]))
               for i, token in enumerate(tokens)):
            return False  # 我 with a person after it (我/妈说) is no subject of the customer's own
        return any(token in people for other in so_far if other.sentence == clause.sentence
                   for token in other.tokens)

    def _a_sign(self, clause: ClauseInfo) -> bool:
        """The clause opens with a person, the customer's child or someone else (孩子, 小朋友, 我妈…):
        a cue that is a sign of discomfort (吐了) is told of them; 「我真的会吐了」 still scoffs."""
        return bool(clause.tokens) and clause.tokens[0] in self._persons

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


def cue_pattern(words: dict[str, object]) -> re.Pattern[str] | None:
    """One regex for the cue (or marker) words; `*` is a gap of up to three characters, `#` a number."""
    parts = sorted((w for w in words if w and not w.startswith("mood:")), key=len, reverse=True)
    if not parts:
        return None
    return compile_pattern("|".join(map(_cue_regex, parts)))


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
    return plain, compile_pattern("|".join(branches)) if branches else None


def _cue_regex(word: str, whole: bool = False) -> str:
    """A cue as a regex. To search (`whole` false), a leading number is only looked behind: an
    alternation whose every branch opens with a literal is scanned far faster, and this one runs
    on every message."""
    if word.startswith(NUMBER) and not whole:
        return "(?<=[0-9一二两三四五六七八九十百千万几好多])" + _cue_regex(word[1:])
    return ".{0,3}?".join(_NUMBER_REGEX.join(map(re.escape, part.split(NUMBER))) for part in word.split(GAP))
