"""Clause filters: which keyword hits of a clause count (not contained, vetoed, negated, in mood,
not yielded), and what reaches past the clause (yield_to across a sentence, exclusive groups)."""

from __future__ import annotations

import re

from bot.tagging.concepts import CLOSING
from bot.tagging.language import ClauseInfo, Language
from bot.tagging.matcher import PIECES, drop_contained
from bot.tagging.matches import Hit
from bot.tagging.negation import asks_a_not_a, negations
from bot.tagging.rules import OPT_OUT_NOT_MOOD, OPT_OUT_TAG, KeywordRule
from bot.tagging.segmenter import Segmenter
from bot.tagging.words import INTENT_MOODS

_SUPPOSING = frozenset({"hypothetical", "worry", "deferred", "doubted"})
_EXCLAMATION = 4  # the longest clause read as exasperation alone (烦死了, 吵死人了)


class ClauseFilters:
    """The keyword tagger's filters of hits; reads moods through `HitMoods` (`_in_mood`, `_at_a_time`)."""

    _rules: tuple[KeywordRule, ...]
    _segmenter: Segmenter
    _arrangement: dict[int, tuple[str, ...]]
    _exclusive: frozenset[str]
    _yielding: bool
    _lone_verbs: bool
    _ceding: bool
    _heads: dict[int, frozenset[str]]
    _language: Language
    _decisive: frozenset[str]
    _opt_out_patterns: dict[str, re.Pattern[str] | None]  # bot/tagging/opt_out.py

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
            by_sentence = number in cued_in and number not in fired_in
            # A rule its cues alone fired yields to the opt-out too, whatever its `yield_to`, where its cues speak of
            # the messages: the annoyance is the reason the customer opts out (天天推送，烦死了，关掉吧).
            yields_to = (*rule.yield_to, OPT_OUT_TAG) if by_sentence and self._of_the_messages(
                [clauses[ordinal] for ordinal in cued_in[number]]) else rule.yield_to
            others = set().union(*(tag_clauses.get(tag, set()) for tag in yields_to if tag != rule.tag))
            if not others or not ordinals:
                continue
            sentences = {clauses[other].sentence for other in others}

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
                 if any(token.endswith(words) for token in tokens)}
        return rule in named if rule in self._arrangement else not named

    def _asks_a_place(self, hit: Hit) -> bool:
        """The keyword asks for a place (`[language] places`: 还有*位置, 有名额), which is the place of
        the arrangement its sentence names, as a move is (`_takes_the_move`): 「周末班还有位置吗」 asks
        about a class, no booking; 「周六上午还有位置吗」 books."""
        places = self._language.places_pattern
        return places is not None and places.search(hit.keyword) is not None

    def _of_the_messages(self, cued: list[ClauseInfo]) -> bool:
        """Every clause a rule's cues were found in names the business's messages (`[language] messages`: 天天推送,
        一天三条短信) or is nothing but exasperation, a cue of a few characters (烦死了): 「课上了半年一点用没有」 and
        「前台态度还那么冲」 speak of something else."""
        messages = self._opt_out_patterns["messages"]
        return messages is not None and all(
            messages.search(clause.folded) is not None or len(clause.folded) <= _EXCLAMATION for clause in cued)

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

    def arranged(self, folded: str, hits: list[list[Hit]]) -> frozenset[int]:
        """The rules whose `arrangement` the message names (a token is or ends with one of its
        words), read only when a `contextual` keyword was found: 「小朋友今天咳嗽，就不过去了」."""
        rules = self._rules
        if not any(hit.keyword in rules[hit.rule].contextual for clause_hits in hits for hit in clause_hits):
            return frozenset()
        tokens = [token for piece in PIECES.findall(folded) for token in self._segmenter.cut(piece)]
        return frozenset(number for number, words in self._arrangement.items()
                         if any(token.endswith(words) for token in tokens))

    def _clause_hits(self, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int,
                     found: list[Hit], arranged: frozenset[int] = frozenset()) -> list[Hit]:
        """The keyword hits that count in one clause: not contained, vetoed, negated or out of mood."""
        tokens = clause.tokens
        hits = [hit for hit in found if not asks_a_not_a(tokens, hit.start)
                and (hit.keyword not in CLOSING or _closes_clause(tokens[hit.end :]))]
        if not hits:
            return []
        rules = self._rules
        # A `timed` word without its time is no word of the clause: it must not take a negator from
        # the keyword after it (我不是来问价格的), nor hide a shorter keyword inside it (能/洗 of 地毯能洗吗).
        hits = drop_contained([h for h in hits if h.exclude or h.keyword not in rules[h.rule].timed
                                or self._at_a_time(h, clause, clauses)])
        vetoed = {h.rule for h in hits if h.exclude}
        keyword_hits = [h for h in hits if not h.exclude and h.rule not in vetoed
                        and (h.keyword not in rules[h.rule].contextual or h.rule in arranged)]
        if self._arrangement and any(self._asks_a_place(h) for h in keyword_hits):  # 周末班还有位置吗: the class's
            # 周六下午那个班还有空位吗: a topic asked about beside the place (an `asked` word of an enquiry rule)
            # is what the place is in, as an arrangement is
            asked = any(h.keyword in rules[h.rule].asked and rules[h.rule].intent for h in keyword_hits)
            keyword_hits = [h for h in keyword_hits if h.rule in self._arrangement or not self._asks_a_place(h)
                            or (not asked and self._takes_the_move(h.rule, clause.sentence, clauses))]
        if self._arrangement and "rescheduled" in clause.moods:  # 推迟 of an arrangement not the one moved
            keyword_hits = [h for h in keyword_hits if h.rule not in self._arrangement or not self._a_move(h, clause)
                            or self._takes_the_move(h.rule, clause.sentence, clauses)]
        if self._heads:  # 年卡怎么续, 还能退吗: an intent's verb alone asks or wishes (not 我现在在冰敷了)
            keyword_hits = [h for h in keyword_hits if not rules[h.rule].negatable
                            or h.keyword not in rules[h.rule].heads or self._asks_or_wishes(clause)]
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
            elif rules[hit.rule].tag == OPT_OUT_TAG and rules[hit.rule].not_mood.intersection(OPT_OUT_NOT_MOOD) \
                    & self.hit_moods(hit, clause, clauses, ordinal):
                clause.declined.add(hit.rule)  # 合同不用再发了: read as no opt-out, the learned check adds none
            elif self._decisive and self._decided(hit, clause, clauses, ordinal):
                clause.declined.add(hit.rule)  # 报名费涨了我可以理解: read as no concern, the check adds none
            elif self._yielding and clause.moods & rules[hit.rule].not_mood & _SUPPOSING:
                supposed.add(rules[hit.rule].tag)
        if len(kept) > 1 and self._lone_verbs:
            kept = self._without_lone_verbs(kept)
        if self._yielding and (len(kept) > 1 or (kept and supposed)):
            present = {rules[hit.rule].tag for hit in kept} | supposed
            kept = [hit for hit in kept if present.isdisjoint(rules[hit.rule].yield_to)]
        if len(kept) > 1 and self._ceding:
            kept = self._without_ceded(kept)
        if len(kept) > 1:
            kept = self._not_what_is_refused(kept, tokens)
        return kept

    def _decided(self, hit: Hit, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int) -> bool:
        """The hit's rule was refused in a mood of `[model] decisive` (accepted, informed, confirming) in a sentence
        that asks nothing: the rules' reading stands, the learned check adds no tag of the rule there."""
        if not self._decisive & self._rules[hit.rule].not_mood & self.hit_moods(hit, clause, clauses, ordinal):
            return False
        return not any("question" in other.moods or other.asked or self._language.intent_moods(other) & {"asking"}
                       for other in clauses if other.sentence == clause.sentence and "rebutted" not in other.moods)

    def _without_ceded(self, hits: list[Hit]) -> list[Hit]:
        """A rule whose every hit in the clause is a keyword it cedes to a tag given there stands
        down (`cede`): 「报两个科目有优惠吗」 asks a price; 「英语一对一一节课多少钱」 names a course too."""
        rules = self._rules
        if not any(rules[hit.rule].cede for hit in hits):
            return hits
        present = {rules[hit.rule].tag for hit in hits}
        ceding = set()
        for number in {hit.rule for hit in hits}:
            ceded = set().union(*(words for tag, words in rules[number].cede if tag in present))
            if ceded and all(hit.keyword in ceded for hit in hits if hit.rule == number):
                ceding.add(number)
        return [hit for hit in hits if hit.rule not in ceding]

    def _asks_or_wishes(self, clause: ClauseInfo) -> bool:
        """The clause asks (a question, a question word) or wishes (想, 帮我…): `INTENT_MOODS`."""
        return "question" in clause.moods or bool(self._language.intent_moods(clause) & INTENT_MOODS)

    def _without_lone_verbs(self, hits: list[Hit]) -> list[Hit]:
        """A topic's verb said alone (洗 of 洗车) stands down where another topic is named in the
        clause: 「油烟机要洗一下」 is the appliance's cleaning, not a wash of clothes."""
        rules = self._rules
        topics = {hit.rule for hit in hits if not rules[hit.rule].negatable
                  and hit.keyword not in rules[hit.rule].verbs}
        return [hit for hit in hits if hit.keyword not in rules[hit.rule].verbs or not topics - {hit.rule}]

    @staticmethod
    def _a_move(hit: Hit, clause: ClauseInfo) -> bool:
        """The hit lies on a `reschedule` marker (推迟, 往后推): its keyword is the move itself."""
        start = sum(map(len, clause.tokens[: hit.start]))
        end = start + sum(map(len, clause.tokens[hit.start : hit.end]))
        return any(m.kind == "reschedule" and m.start < end and start < m.end for m in clause.markers)

    def _not_what_is_refused(self, hits: list[Hit], tokens: list[str]) -> list[Hit]:
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


# What may follow a CLOSING word of the 价格 group (一副多少, 一共多少) for it still to ask a price.
_AFTER_AN_AMOUNT = frozenset(("钱", "块", "块钱", "元", "米", "呀", "啊", "呢", "嘞", "哈", "啦", "哦", "吖",
                              "?", "？", "~"))


_MONEY = frozenset(("钱", "块钱", "元"))


def _closes_clause(rest: list[str]) -> bool:
    """Nothing but 钱 or a particle follows (一副多少, 全套下来要多少钱), or money right after it whatever
    follows (大概多少钱一节): not 一期多少节课."""
    said = [token for token in rest if token.strip()]
    return bool(said) and said[0] in _MONEY or all(token in _AFTER_AN_AMOUNT for token in said)
