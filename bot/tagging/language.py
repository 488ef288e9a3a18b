"""What a clause does besides naming things: the marker words in force, compiled once per rule set.

A keyword hit is read together with its clause. A clause can ask (吗, 呢, A-not-A: 能不能, 痛不痛,
可以退不), suppose (如果, 万一), worry (担心, 怕), report what others said (听说, 朋友说), expect
(会, 可能), be rhetorical (凭什么, 难道, 不是…吗), be put off (…下个月再说, 先考虑一下), say that
something has passed (已经消了, 全退了, 消下去了: a resolution verb and its complement), that it was
already done or done elsewhere (已经约了, 约过, 在别家) or praise (态度很好). Rules require or
exclude these moods (`mood`, `not_mood`); the marker words are operator data with defaults in
bot/tagging/words.py, replaced per list by `[language]` in the rules file. `Language` compiles them
and finds them in a clause; bot/tagging/moods.py reads the moods from what it finds.

Markers are found in the clause text but count only on token boundaries (服了 is not inside
舒服了, 会 not inside 会员); a marker may hold `*`, a gap of up to three characters (听*说).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from bot.tagging.first_chars import FirstCharSearch
from bot.tagging.grievance import Grievances
from bot.tagging.patterns import compile_pattern, longest_first
from bot.tagging.script import trie_regex
from bot.tagging.words import DEFAULT_LANGUAGE, MARKER_KINDS

# Before a speaker, a word that makes the customer the one who speaks (跟老师说, 帮我和前台讲).
_SPOKEN_TO = frozenset("跟和对给同向替帮让叫")
# A speaker's 说 after 再 (问问老公再说, 等孩子放假再讲) is no one's words passed on: the customer puts it off.
_PUT_OFF = frozenset({"再说", "再讲"})
_TIME_NUMBER = "(?:[0-9]+|[一二两三四五六七八九十]+)"
_SENTENCE_END = frozenset("。！？!?\n")
SENTENCE_END_PATTERN = re.compile("[。！？!?\n]")
# Question words that also say "any" (啥也没, 谁都不): with 也/都 and a negator after them they ask nothing.
_INDEFINITES = frozenset({"什么", "啥", "哪", "哪里", "哪儿", "谁", "多少", "几"})


class LanguageError(ValueError):
    """A `[language]` list is not a list of words."""


@dataclass(frozen=True)
class Marker:
    """Where one marker word sits in a clause (character offsets)."""

    kind: str
    start: int
    end: int


def _alternatives(words: Iterable[str]) -> str:
    """The words longest first, `*` a gap; each run of words without a gap as one trie, which
    takes the longest of them as the alternation does, in a third less time on every clause."""
    parts = sorted({w for w in words if w}, key=longest_first)
    branches: list[str] = []
    for gapped, run in itertools.groupby(parts, key=lambda w: "*" in w):
        if gapped:
            branches += (".{0,3}?".join(map(re.escape, w.split("*"))) for w in run)
        else:
            branches.append(trie_regex(run))
    return "|".join(branches)


@dataclass(frozen=True)
class Language:
    """The marker lists in force, compiled once per rule set."""

    words: Mapping[str, tuple[str, ...]]
    _pattern: re.Pattern[str] | None = field(repr=False, compare=False)
    _request: re.Pattern[str] | None = field(repr=False, compare=False)
    _negative: re.Pattern[str] | None = field(repr=False, compare=False)

    @property
    def negative_pattern(self) -> re.Pattern[str] | None:
        return self._negative

    def negative(self, text: str) -> bool:
        """An intensifier right before a negative word, not negated: 也太慢了, 真冤; not when what it
        judges, said right before it, is the customer's or their child's own (阅读理解特别差)."""
        if self._negative is None:
            return False
        return any(not self._self_judged(text[: match.start()]) for match in self._negative.finditer(text))

    def judged_by_self(self, text: str, start: int, end: int) -> bool:
        """The words at text[start:end] end with a `negative` word (太差, 很差, 真慢) and judge what the
        customer names right before them as their own or their child's (孩子数学太差, 我忍痛能力很差)."""
        return text[start:end].endswith(self.words["negative"]) and self._self_judged(text[:start])

    def _self_judged(self, before: str) -> bool:
        """What is judged, named right before, is the customer's own or their child's (孩子太不自觉了)."""
        before = before.rstrip("也都还就真的是")
        own = self._own_words
        if not (before and own) or not before.endswith(own):  # one `endswith` of them all rules most out
            return False
        # 对孩子太凶了, 冲我特别凶: the customer or their child is the one treated so, not the one judged.
        return any(before.endswith(word) and not before[: -len(word)].endswith(self.words["toward"]) for word in own)

    @cached_property
    def _own_words(self) -> tuple[str, ...]:
        """What the customer calls their own or their child's (`self_judged`, `own_speakers`)."""
        return self.words["self_judged"] + self.words["own_speakers"]

    @classmethod
    def build(cls, overrides: Mapping[str, Sequence[str]] | None = None) -> Language:
        words = dict(DEFAULT_LANGUAGE)
        for key, value in (overrides or {}).items():
            if key not in DEFAULT_LANGUAGE:
                raise LanguageError(f"unknown list {key!r} (known: {', '.join(DEFAULT_LANGUAGE)})")
            if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
                raise LanguageError(f"{key}: must be a list of non-empty words")
            words[key] = tuple(w.strip() for w in value)
        language = cls(words, None, None, None)
        # One regex, one group per kind: a clause is scanned once whatever the number of lists.
        groups = [f"(?P<{kind}>{_alternatives(language.marker_words(kind))})"
                  for kind in MARKER_KINDS if language.marker_words(kind)]
        request = language.marker_words("request")
        negative = (f"(?<![不没])(?:{_alternatives(words['intensifiers'])})(?:{_alternatives(words['negative'])})"
                    if words["intensifiers"] and words["negative"] else None)
        if negative and words["strong_negators"]:
            unless = f"(?!{_alternatives(words['not_judging'])})" if words["not_judging"] else ""
            negative += f"|(?<![不没])(?:{_alternatives(words['strong_negators'])}){unless}[\u4e00-\u9fff]"
        if negative and words["manner"]:
            degrees = f"(?:{_alternatives(words['manner_degrees'])}){{0,2}}" if words["manner_degrees"] else ""
            negative += f"|(?:{_alternatives(words['manner'])}){degrees}(?:{_alternatives(words['negative'])})"
        return cls(words, compile_pattern("|".join(groups)) if groups else None,
                   compile_pattern(_alternatives(request)) if request else None,
                   compile_pattern(negative) if negative else None)

    def marker_words(self, kind: str) -> tuple[str, ...]:
        """The words that mark `kind`; resolved ones include every resolution verb + complement."""
        if kind == "hearsay":
            return self.words[kind] + tuple(
                speaker + verb for speaker in self.words["speakers"] for verb in ("*说", "*讲"))
        if kind != "resolved":
            return self.words[kind]
        words = self.words
        resolutions = tuple(
            verb + complement for verb in words["resolution_verbs"] for complement in words["resolution_complements"])
        return words["resolved"] + resolutions + tuple(
            adverb + resolution for adverb in words["resolution_adverbs"] for resolution in resolutions)

    @cached_property
    def _times(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The `times` and `past_times` lists as two regexes, `#` a number (三点半, 15号, 10:30)."""
        def pattern(words: Sequence[str]) -> re.Pattern[str] | None:
            parts = sorted({w for w in words if w}, key=longest_first)
            if not parts:
                return None
            return compile_pattern("|".join(_TIME_NUMBER.join(map(re.escape, w.split("#"))) for w in parts))
        return pattern(self.words["times"]), pattern(self.words["past_times"])

    def names_time(self, text: str) -> bool:
        """A time to come anywhere in `text` (a message), before clauses are read: cheap."""
        coming = self._times[0]
        return coming is not None and coming.search(text) is not None

    @cached_property
    def _party_changes(self) -> re.Pattern[str] | None:
        """`[language] party_changes` as one regex, `*` a gap of up to three characters, `#` a number."""
        parts = sorted({w for w in self.words["party_changes"] if w}, key=longest_first)
        if not parts:
            return None
        return compile_pattern("|".join(
            ".{0,3}?".join(_TIME_NUMBER.join(map(re.escape, piece.split("#"))) for piece in word.split("*"))
            for word in parts))

    def changes_party(self, text: str) -> bool:
        """The party of a booking changed (人数从六个变成五个, 多加一个人): what was arranged is `changed`."""
        pattern = self._party_changes
        return pattern is not None and pattern.search(text) is not None

    def time_at(self, text: str, start: int) -> bool:
        """A time to come right at `start` (换成/周五, 改成/下午三点): what a swap moves the arrangement to."""
        coming = self._times[0]
        return coming is not None and coming.match(text, start) is not None

    def only_times(self, text: str) -> bool:
        """Nothing but times to come (周四上午十点, 那周六下午的), a few particles allowed."""
        coming = self._times[0]
        return coming is not None and coming.search(text) is not None and not coming.sub("", text).strip(
            "那就的这个吧呢,， ")

    def times_named(self, clause: ClauseInfo) -> tuple[bool, bool]:
        """Whether the clause names a time to come, and a time gone by (cached on the clause)."""
        if clause.times is None:
            coming, gone = self._times
            clause.times = (coming is not None and coming.search(clause.folded) is not None,
                            gone is not None and self._gone_by(clause.folded))
        return clause.times

    def _gone_by(self, text: str) -> bool:
        """A time gone by in `text`, not one that refers back to a time to come right before it: 那天 is past
        in 「那天过来做的」, the date itself in 「8月18号那天你们有空吗」, 「国庆那天能约吗」."""
        coming, gone = self._times
        for match in gone.finditer(text):
            if coming is None or all(time.end() != match.start() for time in coming.finditer(text, 0, match.start())):
                return True
        return False

    @cached_property
    def grievances(self) -> Grievances:
        """The grievance moods' lists, compiled (read only when a rule weighs one of them)."""
        return Grievances.build(self.words)

    @cached_property
    def grievance_trigger(self) -> FirstCharSearch:
        """`grievances.trigger`, searched from where it can begin (first_chars.py): its branches open
        with groups and repeats, which the regex engine would try at every position."""
        return FirstCharSearch(self.grievances.trigger)

    @cached_property
    def grievance_spanning(self) -> FirstCharSearch | None:
        """`grievances.spanning`, searched the same way."""
        spanning = self.grievances.spanning
        return FirstCharSearch(spanning) if spanning is not None else None

    @cached_property
    def _asking(self) -> re.Pattern[str] | None:
        """A question word anywhere in a clause, also inside a longer token (一节多少), but not a
        negated one (没什么, 不怎么, 没多少): 「钢琴课一节多少钱」 asks. One search instead of a
        `str.find` loop per question word."""
        words = self.words["question_words"]
        if not words:
            return None
        # 啥也没学到, 什么都不会, 哪儿也不去, 现在啥都涨: an indefinite with 也/都 says "nothing" or "everything", it
        # asks nothing; a why (为什么也不说一声) still asks.
        indefinite = [w for w in words if w in _INDEFINITES]
        others = [w for w in words if w not in _INDEFINITES]
        branches = [f"(?:{trie_regex(indefinite)})(?!儿?[也都])"] if indefinite else []
        branches += [trie_regex(others)] if others else []
        return compile_pattern(f"(?<![没不])(?:{'|'.join(branches)})")

    @cached_property
    def _praise(self) -> str | None:
        """Praise with its degree words before it (挺合理的, 还不错, 很满意), a piece of regex; None without praise."""
        praise = self.words["praise"]
        if not praise:
            return None
        degrees = self.words["praise_degrees"]
        before = f"(?:{_alternatives(degrees)})*" if degrees else ""
        return f"{before}(?:{_alternatives(praise)})[的了啊呀哈吧嘛啦]*"

    @cached_property
    def _judged_after(self) -> re.Pattern[str] | None:
        """The next clause is nothing but praise (，挺合理的 / ，还不错 / ，很满意)."""
        return re.compile(f"^[，,、 ~～]+{self._praise}(?:[，,。！!？?~～ ]|$)") if self._praise else None

    @cached_property
    def _judged_before(self) -> re.Pattern[str] | None:
        """The clause before closes with praise, not denied (品质很好，… / 一直很好，…)."""
        return re.compile(f"(?<![不没]){self._praise}[，,、 ~～]+$") if self._praise else None

    def judged_before(self, precedes: str) -> bool:
        """The clause before this one, in its sentence, closes with praise (效果很好，一点杂音都没有)."""
        return self._judged_before is not None and self._judged_before.search(precedes) is not None

    def judged_after(self, follows: str) -> bool:
        """The clause after this one judges what it names, and only that (价格我看过了，挺合理的)."""
        return self._judged_after is not None and self._judged_after.match(follows) is not None

    @cached_property
    def _set_aside(self) -> re.Pattern[str] | None:
        """A word of `set_aside` closing the text, at most four characters before it that judge nothing (的事先不谈,
        是多少先不说; not 太贵了先不考虑了, which turns the price down)."""
        words = self.words["set_aside"]
        if not words:
            return None
        return compile_pattern(f"^[^，。！？,.!?了太贵]{{0,4}}?(?:{_alternatives(words)})[吧啊呀了的哈呢嘛]*$")

    def sets_aside(self, after: str) -> bool:
        """What follows a keyword in its clause puts its matter aside (价格/先不谈, 报价/的事先放一边)."""
        return self._set_aside is not None and self._set_aside.match(after) is not None

    @cached_property
    def subjects(self) -> tuple[str, ...]:
        """Who may open a clause as its subject: the customer, the business, their people."""
        words = self.words
        return ("我", "你", *words["own_speakers"], *words["third_persons"], *words["staff"])

    def asks(self, text: str) -> bool:
        """A question word in `text`, as `asking` reads it."""
        return self._asking is not None and any(not _rough_count(text, m.start()) for m in self._asking.finditer(text))

    @cached_property
    def question_sets(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Question particles, report questions and question words, as sets: built once, not per message."""
        words = self.words
        return (frozenset(words["question_particles"]), frozenset(words["report_questions"]),
                frozenset(words["question_words"]))

    @cached_property
    def places_pattern(self) -> re.Pattern[str] | None:
        """Any word of `places` (还有*位置, 名额) inside a keyword: one search, not a loop per word."""
        places = self.words["places"]
        return compile_pattern("|".join(map(re.escape, places))) if places else None

    @cached_property
    def also_pattern(self) -> re.Pattern[str] | None:
        """Any word of `also` (也, 也想…): a clause without one refers to nobody, and is not read token by token."""
        also = self.words["also"]
        return compile_pattern("|".join(map(re.escape, also))) if also else None

    @cached_property
    def wishes(self) -> tuple[str, ...]:
        """The words of `also_wants` that wish (想, 打算, 准备, 要来…), not those that tell a visit (来, 学)."""
        return tuple(word for word in self.words["also_wants"]
                     if word.startswith(("想", "打算", "准备", "要")) or "兴趣" in word)

    @cached_property
    def child_wishes(self) -> list[str]:
        """See child_wishes_pattern."""
        return [link + child + wish for link in ("的", "家") for child in self.words["own_speakers"]
                for wish in self.wishes]

    @cached_property
    def child_wishes_pattern(self) -> re.Pattern[str] | None:
        """A child's word after 的 or 家 with a wish after it (的女儿想, 家孩子打算): a message or a clause without one
        holds no child of someone else's who wishes, and is not read token by token."""
        words = self.child_wishes
        return compile_pattern("|".join(map(re.escape, words))) if words else None

    @cached_property
    def sets(self) -> dict[str, frozenset[str]]:
        """Each word list as a set, for the tests of a whole token that run per message: built once."""
        return {name: frozenset(words) for name, words in self.words.items()}

    @property
    def split_prefixes(self) -> frozenset[str]:
        return frozenset(self.words["split_prefixes"])

    @property
    def split_suffixes(self) -> frozenset[str]:
        return frozenset(self.words["split_suffixes"])

    def intent_moods(self, clause: ClauseInfo) -> set[str]:
        """`asking` and `request` of a clause, read when a rule asks for them (cached on the clause)."""
        if clause.intent is None:
            clause.intent = set()
            if (self.asks(clause.folded)
                    or self._either_or(clause.tokens, clause.folded)):
                clause.intent.add("asking")
            if self._wishes(clause):
                clause.intent.add("request")
        return clause.intent

    def _either_or(self, tokens: list[str], text: str) -> bool:
        """还是 between two things it offers as a choice, not "still" or "rather"."""
        words = self.words["either_or"]
        if not any(word in text for word in words):
            return False
        return any(token in words and 0 < i < len(tokens) - 1 and tokens[i - 1] not in _NOT_BEFORE_CHOICE
                   and tokens[i + 1] not in _NOT_AFTER_CHOICE and tokens[i + 1] not in self.words["intensifiers"]
                   and not _still(tokens[i - 1], tokens[i + 1])
                   for i, token in enumerate(tokens))

    def _wishes(self, clause: ClauseInfo) -> bool:
        """A wish or request marker on a token boundary, not negated (不想), or glued to its subject."""
        if ("想" in clause.folded or "要" in clause.folded) and any(  # 同事也想, 想报: 想 glued on
                token.endswith(_GLUED_WISHES) or (token[:1] == "想" and len(token) == 2 and token not in _NOT_WISHES)
                for token in clause.tokens):
            return True
        for match in self._request.finditer(clause.folded) if self._request else ():
            start, end = match.span()
            if (start in clause.bounds and (end in clause.bounds or end - start > 1)
                    and clause.folded[start - 1 : start] not in ("不", "没", "别")):
                return True
        return False

    def markers(self, text: str, bounds: frozenset[int]) -> list[Marker]:
        """Every marker in a clause whose both ends fall on token boundaries."""
        found = []
        if self._pattern is None:
            return found
        # A marker starts a token; a one-character one is a whole token (会 is not in 会员), a
        # longer one may end inside a token a keyword made (消/肿了 holds 消肿). Praise ends on a
        # boundary too: 满意度 is no 满意 (「不要再打电话问我满意度了」), and so does hearsay: 前台说话好凶 reports
        # nobody's words.
        pos = 0
        search = self._marker_search.search
        while match := search(text, pos):
            if match.lastgroup == "hearsay" and text[match.start() - 1 : match.start()] in _SPOKEN_TO:
                pos = match.start() + 1  # 跟老师说一声: the customer speaks, nobody is reported
            elif match.lastgroup == "hearsay" and text[match.end() - 2 : match.end()] in _PUT_OFF:
                pos = match.start() + 1  # 问问老公再说: the customer puts it off (`deferral`), nobody is reported
            elif match.start() in bounds and (match.end() in bounds or (
                    match.end() - match.start() > 1 and match.lastgroup not in ("praise", "hearsay"))):
                if match.lastgroup != "resolved" or not self._unresolved(text, match.start(), match.end()):
                    found.append(Marker(match.lastgroup or "", match.start(), match.end()))
                pos = match.end()
            else:  # one off the boundaries may hide one on them: 完全消肿 holds 全消 and 消肿
                pos = match.start() + 1
        return found

    def _unresolved(self, text: str, start: int, end: int) -> bool:
        """A resolution denied (还没缓过来, 没完全消下去, 一直没退) or only begun (消了一些, 淡了一点, 好了一点):
        the sign is still there. `[language] partial` after it; a negator before it, adverbs between."""
        before = text[:start].rstrip("完全彻底都还一直也")
        return before.endswith(("没", "未", "不", "没有")) or text.startswith(self.words["partial"], end)

    @cached_property
    def _marker_search(self) -> FirstCharSearch:
        """The marker pattern searched from where a marker can begin: one group per kind, it gives
        the regex engine no first characters to skip to (bot/tagging/first_chars.py)."""
        assert self._pattern is not None
        return FirstCharSearch(self._pattern)


@dataclass
class ClauseInfo:
    """One clause of a message as the mood reader sees it."""

    text: str
    tokens: list[str]
    sentence: int  # clauses of one sentence share this number
    asked: bool  # a ？ follows the clause
    folded: str = ""  # the text as the tagger reads it (folded, simplified, typos repaired)
    bounds: frozenset[int] = frozenset()  # offsets in `folded` where a token starts or ends
    markers: list[Marker] = field(default_factory=list)
    moods: set[str] = field(default_factory=set)
    intent: set[str] | None = None  # asking / request, once read (`Language.intent_moods`)
    times: tuple[bool, bool] | None = None  # (a time to come, a time gone by), once read (`Language.times_named`)
    quoted: tuple[tuple[int, int], ...] = ()  # spans of `folded` inside a quotation (`quoted_spans`)
    more_after: bool = False  # the message goes on after the clause with more words (not only punctuation)
    follows: str = ""  # the folded text of the message after the clause (a conjunction there is no clause's)
    precedes: str = ""  # the folded text of the message before the clause
    declined: set[int] = field(default_factory=set)  # rules an opt-out reading refused here (opt_out.py)


# Around 还是 meaning "still" or "rather" rather than "or": 我还是想, 三天了还是肿, 还是很油, 还是不行.
_NOT_BEFORE_CHOICE = frozenset("我 你 他 她 我们 你们 他们 她们 咱们 孩子 了 也 都 但 可 却 就".split())
_NOT_AFTER_CHOICE = frozenset("很 有点 有些 挺 蛮 比较 一样 老样子 会 要 想 得 算了 不 没 没有 不太 不是 在 那样 这样"
                              " 没什么 一直 照样 没变".split())


def _rough_count(text: str, start: int) -> bool:
    """几 after a number, 好 or 这/那/前/头/后/近 is a rough count that asks nothing: 十几节课, 好几千, 二十几个人,
    这几天, 前几天 (提前几天 still asks)."""
    if text[start : start + 1] != "几" or start == 0:
        return False
    before = text[start - 1]
    return before in _ROUGH_BEFORE or (before == "前" and text[start - 2 : start - 1] != "提")


_ROUGH_BEFORE = frozenset("好十百千万0123456789这那头后近")


def _still(before: str, after: str) -> bool:
    """还是 as "still" before 只 or a negated word (英语还是只会说hello, 还是不敢开口); a negated repeat of
    the word before it offers a choice (去还是不去, 上还是不上)."""
    if after[:1] == "只":
        return True
    return after[:1] in "不没" and not after[1:].startswith(before[-1:])


# Two-character words that open with 想 and wish for nothing.
_NOT_WISHES = frozenset("想法 想象 想到 想起 想念 想必 想通 想开 想来".split())


# A wish the segmenter glued to its subject because a keyword says so (同事也想, 我也要).
_GLUED_WISHES = ("也想", "还想", "都想", "很想", "也要", "还要", "都要")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation that a verb of saying opens (她说“我要投诉”, 老板讲：「不满意全退」):
    someone's words, reported. A word in quotation marks without one (所谓的“专业”) is irony, kept."""
    if not _QUOTE_OPENERS.search(text):
        return []
    return [match.span(1) for match in _QUOTATION.finditer(text)]


_QUOTE_OPENERS = re.compile("[“\"「『‘]")
_QUOTATION = re.compile("(?:[说讲问道喊骂]|写着)[我你他她]?[:：,，]?\\s*[“\"「『‘]([^”\"」』’]+)[”\"」』’]")


def sentence_numbers(text: str, starts: Sequence[int]) -> list[int]:
    """The sentence number of each offset in `starts` (sorted): sentences end at 。！？ and newlines."""
    if not SENTENCE_END_PATTERN.search(text):
        return [0] * len(starts)
    numbers, sentence, pos = [], 0, 0
    for start in starts:
        sentence += sum(1 for char in text[pos:start] if char in _SENTENCE_END)
        pos = start
        numbers.append(sentence)
    return numbers
