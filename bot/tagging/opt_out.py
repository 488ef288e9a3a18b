"""Readings of an opt-out hit (状态:退订) that ask for no opt-out: the moods an opt-out rule refuses.

A false opt-out silences a customer who never asked, so a refusal is read for what it refuses:

- `one_thing`: one thing not to be sent again, not the business's messages: a word of `[language]
  sent_things` (合同, 定位, 照片, 行程单, 房间…) in the clause, or in an earlier clause of the sentence
  when the refused send has no object of its own (报名表我填好了，不用再发我了); 「合同不用再发了」,
  「不用再发定位了」, 「我要退订房间」 (退订 a booking). A clause that names a message (`messages`:
  消息, 推送, 广告, 通知…) refuses the messages: 「活动链接别再发了」 still opts out.
- `other_channel`: the refusal of one way of reaching the customer with another asked for
  (`kept_channels`: 微信, 打字, 留言…, not denied, not the customer's own act toward the business):
  「别打电话 在开会 微信说」, 「别发语音，我在地铁上，打字」. Not when the message names a message.
- `corrected`: a send done wrong (`send_faults`: 发错, 寄错…): 「别再发错地址了」.
- `someone_else`: someone else's opt-out or another recipient: a person of `third_persons` (not
  `staff`, not the customer's child) right before it (朋友说她退订了还一直收到), or after 给 in it
  (别发给我爸, 不用给我朋友打电话了).
- `taken_back`: an opt-out told as past (a `done` marker or a time of `past_times` before it, or
  退订/了 with more after it) in a message that then wishes (`held_wishes`), asks yes or no with 吗,
  or says it was a mistake (`mistaken`): 「之前退订了，现在想约体验课」, 「退订了以后还能看回放吗」;
  not when the message says the messages still come (`still_sent`: 我已经退订了，怎么还在发).
- `for_now`: the refusal limited to a time named right before it (明天上午别给我打电话), unless a word makes
  it last (从今天开始别发了).
- `muted`: the customer muted the business themselves (`own_settings`: 家长群我设成免打扰了), in a clause
  that does not ask.
- `fewer`: how often or how much is refused, not the send: a word of `frequencies` (每, 三遍, 这么多…) after the
  refusal's negator in its clause: 「不用每次都发确认短信」, 「别一天发三遍」, 「海报不用每张都发我」; while
  「天天发，别再发了」 refuses the messages.
- `remembered`: the customer keeps it in mind themselves (`remembered`: 我记得, 记住了, 设了闹钟…) somewhere in the
  message: 「到期提醒就不用发了，我记着呢」, 「不用提醒了，我手机上设了闹钟」 refuse a reminder they need no more.

The opt-out rule refuses these besides its own `not_mood` (`OPT_OUT_NOT_MOOD`, bot/tagging/rules.py);
an empty list turns its reading off.
"""

from __future__ import annotations

import re
from functools import cached_property

from bot.tagging.language import SENTENCE_END_PATTERN, ClauseInfo, Language
from bot.tagging.matcher import PIECES
from bot.tagging.matches import Hit
from bot.tagging.negation import TRAILING_PARTICLES, a_not_a, is_negator
from bot.tagging.patterns import compile_pattern
from bot.tagging.script import trie_regex
from bot.tagging.segmenter import Segmenter

# Characters a refused send closes with (不用再发, 别推给, 不用再推荐): one thing may be what it sends.
_SEND_ENDINGS = ("发", "推", "寄", "传", "荐", "发给", "推给", "发我", "推我")
# What may follow such a send for its object to be unnamed there (不用再发我了, 不用发了谢谢).
_NO_OBJECT = frozenset(("我", "给我", "谢谢", "谢了", "哈", "一遍", "一次", "一下", "一份", "过来", "来",
                        *TRAILING_PARTICLES))
# Between a person and the opt-out they made (她也退订了, 我朋友早就退订了).
_PERSON_ADVERBS = frozenset(("也", "都", "已经", "早就", "之前", "上次", "刚", "刚刚", "早", "前几天", "也是"))
_NEGATOR_CHARS = "不没别勿甭莫"
# Anyone described by an opt-out (退订的人多吗, 那个退群的学员), besides the people of `third_persons`.
_SOMEONE = frozenset(("人", "那位", "那个人", "家长", "学员", "客户", "顾客", "客人", "同学"))
# Words that make a refusal last, whatever time it names (从今天开始别发了, 明天起不要再打电话).
_FROM_NOW_ON = frozenset(("开始", "起", "以后", "之后", "往后", "从此", "今后", "永远", "再也"))
# The refusal said again of more (平时也别打了, 其他时间都不要打): it is not limited to the time named.
_REFUSED_TOO = re.compile("[也都](?:别|不要|不用|不必|勿|甭)")
# A number in a word of `frequencies` (三遍, 两次, 几遍), more than one: 每周发一遍 is a schedule.
_COUNT = "(?:[0-9]+|[二两三四五六七八九十几][一二两三四五六七八九十几]*)"
# A yes/no question after a past opt-out that asks what the customer may still do (还能看回放吗, 可以恢复吗).
_MAY = ("能", "可以", "可不可以", "恢复")


class OptOutReadings:
    """The keyword tagger's readings of an opt-out hit, on its language and segmenter."""

    _language: Language
    _segmenter: Segmenter

    @cached_property
    def _opt_out_patterns(self) -> dict[str, re.Pattern[str] | None]:
        words = self._language.words
        return {name: compile_pattern(trie_regex(words[name])) if words[name] else None
                for name in ("messages", "sent_things", "booked_things", "kept_channels", "busy", "send_faults",
                             "still_sent", "mistaken", "own_settings", "remembered")}

    @cached_property
    def _frequencies(self) -> re.Pattern[str] | None:
        words = sorted({w for w in self._language.words["frequencies"] if w}, key=len, reverse=True)
        return compile_pattern("|".join(_COUNT.join(map(re.escape, w.split("#"))) for w in words)) if words else None

    @cached_property
    def _not_a_sender(self) -> frozenset[str]:
        """Someone else the customer may name, who is not the business's staff nor the customer's child."""
        words = self._language.words
        return frozenset(words["third_persons"]) - frozenset(words["staff"]) - frozenset(words["own_speakers"])

    def _opt_out_moods(self, hit: Hit, clause: ClauseInfo, start: int, end: int) -> set[str]:
        """The readings of an opt-out hit at clause.folded[start:end] that make it no opt-out."""
        moods: set[str] = set()
        tokens = clause.tokens
        verb_start = start + sum(map(len, tokens[hit.start : hit.spans[-1][0]]))
        message = f"{clause.precedes}{clause.folded}{clause.follows}"
        named = self._names_a_message(clause, verb_start, end)
        if not named and self._one_thing(hit, clause, start, verb_start, end):
            moods.add("one_thing")
        for_now = self._another_recipient(hit, tokens) or self._found("busy", self._rest_of(clause, start, end))
        if not named and for_now and self._another_way(clause, end):
            moods.add("other_channel")
        faults = self._opt_out_patterns["send_faults"]
        if faults is not None and any(m.start() < end and m.end() > verb_start
                                      for m in faults.finditer(clause.folded, max(start - 2, 0))):
            moods.add("corrected")
        if self._someone_elses_opt_out(hit, tokens):
            moods.add("someone_else")
        if self._taken_back(hit, clause, start, end, message):
            moods.add("taken_back")
        if self._limited_to_a_time(hit, tokens) and _REFUSED_TOO.search(f"{clause.precedes}，{clause.follows}") is None:
            moods.add("for_now")  # not 周末不要打电话，平时也别打了: the refusal reaches every time
        if self._found("own_settings", clause.folded[:start]) and not self._language.asks(clause.folded) \
                and "question" not in clause.moods and self._language.sets["business"].isdisjoint(tokens[: hit.start]):
            moods.add("muted")  # 班级群我设了免打扰: done by the customer, nothing asked of the business
        if self._fewer(clause, start, end):
            moods.add("fewer")
        if self._found("remembered", message) and "question" not in clause.moods:
            moods.add("remembered")  # 不用提醒了，我手机上设了闹钟: the customer keeps it in mind themselves
        return moods

    def _fewer(self, clause: ClauseInfo, start: int, end: int) -> bool:
        """A word of `frequencies` after the refusal's negator in its clause (不用每次都发, 别一天发三遍): less often
        or less of it, not no messages."""
        pattern = self._frequencies
        negator = next((i for i in range(start, end) if clause.folded[i] in _NEGATOR_CHARS), None)
        return pattern is not None and negator is not None and pattern.search(clause.folded, negator) is not None

    def _limited_to_a_time(self, hit: Hit, tokens: list[str]) -> bool:
        """A time of `[language] times` or a busy time of `busy` right before the refusal (先, 就, 也 allowed
        between) and no word that makes it last (开始, 起, 以后): 「下午别给我打电话」, 「上课别打孩子手表电话」;
        not 「从今天开始别发了」."""
        if any(token in _FROM_NOW_ON for token in tokens):
            return False
        i = hit.start - 1
        while i >= 0 and tokens[i] in ("先", "就", "也", "暂时"):
            i -= 1
        return i >= 0 and (self._language.only_times(tokens[i]) or tokens[i] in self._language.sets["busy"])

    def _still_sent(self, clause: ClauseInfo) -> bool:
        """The message says the messages still come (之前退订过，你们怎么又发了): an opt-out told as done stands."""
        return self._found("still_sent", f"{clause.precedes}{clause.folded}{clause.follows}")

    @staticmethod
    def _rest_of(clause: ClauseInfo, start: int, end: int) -> str:
        """The message without the hit's words."""
        return f"{clause.precedes}{clause.folded[:start]}，{clause.folded[end:]}{clause.follows}"

    def _found(self, name: str, text: str) -> bool:
        pattern = self._opt_out_patterns[name]
        return pattern is not None and bool(text) and pattern.search(text) is not None

    def _names_a_message(self, clause: ClauseInfo, verb_start: int, end: int) -> bool:
        """A word of `messages` in the clause, except the refused verb itself said as one (别再/推送/作业)."""
        pattern = self._opt_out_patterns["messages"]
        if pattern is None:
            return False
        return any(not (m.start() == verb_start and m.end() == end) for m in pattern.finditer(clause.folded))

    def _one_thing(self, hit: Hit, clause: ClauseInfo, start: int, verb_start: int, end: int) -> bool:
        """A thing of `sent_things` ends on a token boundary in the clause, outside the refused verb (or is the
        token the verb opened: 别再把/发票/寄错了); or in the sentence's earlier clauses when the send closes the
        clause without an object of its own. Not a send said to recur (`persistence`: 链接天天发，别再发了)."""
        said = "".join(clause.tokens[hit.start : hit.end])
        booked = self._opt_out_patterns["booked_things"]
        outside = [m for m in booked.finditer(clause.folded) if m.end() <= start or m.start() >= end] \
            if "订" in said and booked is not None else []
        if any(m.end() in clause.bounds for m in outside):
            return True  # 我要退订房间, 房间退订了: a booking cancelled
        things = self._opt_out_patterns["sent_things"]
        recurring = self._language.sets["persistence"]
        if things is None or not recurring.isdisjoint(clause.tokens):
            return False
        verb = "".join(clause.tokens[hit.spans[-1][0] : hit.end])
        if verb in self._language.sets["sent_things"] or any(
                m.end() in clause.bounds and (m.end() <= verb_start or m.start() >= end)
                for m in things.finditer(clause.folded)):
            return True
        verb = verb.rstrip("了啦吧")
        if not verb.endswith(_SEND_ENDINGS) or not all(t in _NO_OBJECT for t in clause.tokens[hit.end :]):
            return False
        before = clause.precedes
        cut = max((m.end() for m in SENTENCE_END_PATTERN.finditer(before)), default=0)
        earlier = before[cut:]
        if not earlier or self._found("messages", earlier):
            return False
        found = [tokens for piece in PIECES.finditer(earlier) for _, tokens in self._aligned(things, piece.group())]
        return bool(found) and all(recurring.isdisjoint(tokens) for tokens in found)

    def _aligned(self, pattern: re.Pattern[str], piece: str) -> list[tuple[int, list[str]]]:
        """Where a word of `pattern` ends on a token boundary of `piece`: (token index after it, tokens)."""
        if pattern.search(piece) is None:
            return []
        tokens = self._segmenter.cut(piece)
        ends: dict[int, int] = {}
        offset = 0
        for index, token in enumerate(tokens):
            offset += len(token)
            ends[offset] = index + 1
        return [(ends[m.end()], tokens) for m in pattern.finditer(piece) if m.end() in ends]

    def _another_way(self, clause: ClauseInfo, end: int) -> bool:
        """Another part of the message asks for a way of `kept_channels`, not denied before it in its piece and
        without the business (你们) there: the customer is to be reached so (有事微信说, 打字); and no other part
        names a message (天天推送，别打电话了 refuses the messages)."""
        channels = self._opt_out_patterns["kept_channels"]
        if channels is None:
            return False
        business = self._language.words["business"]
        asked = False
        for part in (clause.precedes, clause.folded[end:], clause.follows):
            for piece in PIECES.finditer(part):
                text = piece.group()
                if self._asks_for_a_way(channels, text, business):
                    asked = True
                elif self._found("messages", text):
                    return False
        return asked

    def _asks_for_a_way(self, channels: re.Pattern[str], text: str, business: tuple[str, ...]) -> bool:
        if any(word in text for word in business) or self._found("messages", text):
            return False  # 有事我微信找你们: the customer's own act; 天天在微信发广告: what they refuse
        for after, tokens in self._aligned(channels, text):
            before = tokens[:after]
            if not any(is_negator(before, i, 0) or (t[:1] in _NEGATOR_CHARS and not a_not_a(t))
                       for i, t in enumerate(before)):
                return True
        return False

    def _person(self, token: str) -> bool:
        people = self._not_a_sender
        return token in people or (token[:1] == "我" and token[1:] in people)

    def _someone_elses_opt_out(self, hit: Hit, tokens: list[str]) -> bool:
        """A person (not staff, not the customer's child) right before the hit, adverbs allowed between:
        她也退订了, 我朋友早就退订了; or described by it, 的 and a person after it: 那个退群的家长, 退订的人."""
        after = tokens[hit.end : hit.end + 2]
        if len(after) == 2 and after[0] == "的" and (self._person(after[1]) or after[1] in _SOMEONE):
            return True  # 那个退群的家长不是我: the person who opted out, described
        i = hit.start - 1
        while i >= 0 and tokens[i] in _PERSON_ADVERBS:
            i -= 1
        return i >= 0 and self._person(tokens[i])

    def _another_recipient(self, hit: Hit, tokens: list[str]) -> bool:
        """Someone other than the customer after 给 in the hit or right after it: 别发给我爸, 别发给物业."""
        for i in range(hit.start, min(hit.end + 1, len(tokens) - 1)):
            if tokens[i].endswith("给"):
                after = tokens[i + 1 : i + 3]
                if after[0] not in ("我", "我们") and after[0].strip() and after[0] not in TRAILING_PARTICLES:
                    return True
                if after[0] == "我" and len(after) > 1 and self._person(after[1]):
                    return True
        return False

    def _taken_back(self, hit: Hit, clause: ClauseInfo, start: int, end: int, message: str) -> bool:
        """An opt-out told as past, in a message that wishes, asks yes or no or says it was a mistake, and does
        not say the messages still come."""
        tokens = clause.tokens
        said = "".join(tokens[hit.start : hit.end])
        before = clause.folded[:start]
        past = any(m.kind == "done" and m.end <= start for m in clause.markers) \
            or any(len(word) > 1 and word in before for word in self._language.words["past_times"])
        if not past and self._found("mistaken", clause.folded[end:]):
            past = True  # 我取消关注是误操作: said, and taken back
        if not past and said[:1] not in _NEGATOR_CHARS:
            # 退订/了/以后还能看回放吗, 退订/以后还能用积分吗: the opt-out is what the message goes on from
            after = [t for t in tokens[hit.end : hit.end + 2] if t.strip()]
            past = (after[:1] == ["了"] and len(after) > 1 and after[1] not in TRAILING_PARTICLES) \
                or after[:1] in (["以后"], ["之后"])
        if not past or self._found("still_sent", message):
            return False
        if self._found("mistaken", message):
            return True
        rest = f"{clause.folded[end:]}{clause.follows}"
        wishes = tuple(self._language.words["held_wishes"])
        for piece in PIECES.finditer(rest):
            text = piece.group()
            if (text.endswith(("吗", "么")) and any(modal in text for modal in _MAY)) \
                    or any(t.startswith(wishes) for t in self._segmenter.cut(text)):
                return True  # 现在想约体验课, 还能看回放吗; not 听不懂吗
        return False
