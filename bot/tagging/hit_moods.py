"""Mood checks of one keyword hit: the clause's moods as they bear on where the hit sits (passed,
done, praised, named...), and whether they suit its rule (`mood`, `not_mood`, `intent`, `asked`,
`timed`)."""

from __future__ import annotations

import re
from functools import cached_property

from bot.tagging.amounts import AMOUNT
from bot.tagging.language import ClauseInfo, Language, Marker
from bot.tagging.matches import Hit, normalise
from bot.tagging.moods import asks_anywhere
from bot.tagging.negation import PASSED_NEGATORS, TRAILING_PARTICLES, a_not_a, core_denial, passed_later, word_cores
from bot.tagging.patterns import compile_pattern
from bot.tagging.rules import GAP, OPT_OUT_TAG, KeywordRule
from bot.tagging.script import trie_regex
from bot.tagging.words import NEGATED_PRAISE

_DONE_AFTER_TIMED = (["完"], ["过"], ["着"])
_WHETHER = (["吗"], ["么"], ["没"], ["没有"], ["嘛"])  # after 了: whether it happened (来了吗, 到了没有)
_CLOSING_NON_REQUEST = "啊呀哈嘛哦"
# Money given back (钱退/了, 原路退/回了), unless something puts it to the business to do (把钱给我退了).
_GIVE_BACK = "退"
_DISPOSALS = ("把", "给", "帮")
_NEVER = re.compile("(?!)")
_FIRST_PERSON = frozenset(("我", "我们", "咱", "咱们", "俺"))
_ON_BEHALF = frozenset(("帮", "替", "给", "帮忙", "带"))  # 帮我妈约, 带我妈做: the customer books for her
# A clause that goes on without a subject of its own (…，想自己过去看看): the subject before it still speaks.
_GOING_ON = frozenset(("想", "想要", "打算", "准备", "要", "说", "也想", "还想"))
_NEGATORS = frozenset("不没别停")
_PRONOUNS = ("她们", "他们", "她", "他", "ta")  # standing for a person named before: 她想约周六
_POSSESSORS = frozenset(("我", "我的", "他", "他的", "她", "她的", "我们", "我们的"))  # before a person: 我同事, 她闺女
_LEFT_TO = frozenset(("让", "叫"))  # 让她自己约: the person is told to do it
_GIVEN_BACK = frozenset("给回")  # 退给我, 退回来: a giving back said as a verb, the thing given after its 的
_FIRST_PERSON_PLURAL = frozenset(("们",))  # 退给我/们: the segmenter leaves the plural apart
_STILL_TO_COME = frozenset(("快", "快要", "马上", "就要", "要", "将", "即将", "等", "等到"))  # 快到了, 马上就好了
_NOT_YET = ("没", "未")  # a keyword of what is not done yet (还没做好, 未到账) is never told as done
_NOT_STATEMENT = frozenset({"question", "hypothetical", "worry", "hearsay", "expectation", "rhetorical", "deferred"})


class HitMoods:
    """The keyword tagger's mood checks of a hit, on the tagger's rules and language."""

    _rules: tuple[KeywordRule, ...]
    _language: Language
    _others: frozenset[str]
    _resolution_verbs: frozenset[str]
    _complements: tuple[str, ...]  # `[language] resolution_complements`
    _denied_patterns: dict[int, re.Pattern[str]]

    def _in_mood(self, hit: Hit, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int) -> bool:
        """Whether the moods of the hit's clause suit its rule (`mood`, `not_mood`)."""
        rule = self._rules[hit.rule]
        if not rule.mood and not rule.not_mood and not rule.intent and not rule.asked:
            return True
        moods = self.hit_moods(hit, clause, clauses, ordinal)
        if (rule.intent or hit.keyword in rule.asked) and not (
                "question" in moods or self._language.intent_moods(clause)):
            return False
        if "third_party" in moods and hit.keyword in rule.asked:
            return False  # 同事的孩子也想学钢琴: a broad word in someone else's wish; 也想报名, 也想试听 still ask
        if hit.keyword in rule.asked and self._a_setting(hit, clause):
            return False  # 孩子今天在课上有没有哭: the class is where it happened, no course is asked about
        if hit.keyword in rule.asked and self._a_past_one(hit, clause):
            return False  # 上节课落下的内容能发我一下吗: a lesson already given, no course is asked about
        if rule.mood and not moods & rule.mood:
            return False
        return not moods & rule.not_mood

    def _a_past_one(self, hit: Hit, clause: ClauseInfo) -> bool:
        """A time gone by right before the word (`past_times`, a 的 allowed between: 昨天的课, 上次/课), or 上
        before a count of lessons (上/节课, 上/堂课): the lesson meant was given already."""
        before = clause.tokens[: hit.start]
        if before[-1:] == ["的"]:
            before = before[:-1]
        if not before:
            return False
        said = "".join(clause.tokens[hit.start : hit.end])
        return before[-1] in self._language.words["past_times"] or (
            before[-1] == "上" and said.startswith(("节", "堂", "次")))

    def _a_setting(self, hit: Hit, clause: ClauseInfo) -> bool:
        """在 before the keyword and a word of place (`locatives`) after it, or closing its token:
        在/课/上, 在/班上."""
        tokens, locatives = clause.tokens, self._language.words["locatives"]
        if hit.start == 0 or not tokens[hit.start - 1].endswith("在"):
            return False
        said = "".join(tokens[hit.start : hit.end])
        rest = said[said.find(hit.keyword) + len(hit.keyword) :] if hit.keyword in said else ""
        return rest in locatives if rest else hit.end < len(tokens) and tokens[hit.end] in locatives

    def _at_a_time(self, hit: Hit, clause: ClauseInfo, clauses: list[ClauseInfo]) -> bool:
        """A `timed` keyword counts where its sentence names a time to come and its own clause
        none gone by (上周三过来做的 reports), and where the sentence asks or wishes, or the
        customer says what they will do (后天下午我去打光子): 今天上午来上课的时候… plans nothing."""
        language = self._language
        after = clause.tokens[hit.end : hit.end + 2]
        if language.times_named(clause)[1] or after[:1] in _DONE_AFTER_TIMED or "的" in after:
            return False  # 上周三过来做的, 做个清洁的费用, 周六来着: what the time names is done or a thing
        if any(char in token and not a_not_a(token)
               for token in clause.tokens[max(hit.start - 2, 0) : hit.start] for char in "不没别"):
            return False  # 抽不出/空, 没/空, 不/过来: a common word negated in a token of its own (not 能不能/做个)
        if after[:1] and after[0] in language.words["errands"]:
            return False  # 四点过来/取: an errand, not a visit
        if after[:1] == ["了"] and clause.tokens[hit.end + 1 : hit.end + 2] in _WHETHER:
            return False  # 今天工人来/了/吗: whether an arrival happened, no visit booked
        sentence = [other for other in clauses if other.sentence == clause.sentence]
        if self._someone_elses(clause.tokens[: hit.start]) and not any(
                _ON_BEHALF.intersection(other.tokens) for other in sentence):
            return False  # 我/哥/下周/想来/做个: the brother's visit (a referral, if anything), unless 帮我妈约
        if not any(language.times_named(other)[0] for other in sentence):
            return False
        said = "".join(clause.tokens[hit.start : hit.end])
        if said in language.words["confirmations"] or said in language.words["proposals"]:
            # 好滴，那就周六十点 accepts a time, 周四上午十点可以吗 proposes one; in a move the move decides. What
            # is accepted is in the clause: 就按你说的那个价，周日上午过去付款 accepts a price, no time.
            return "rescheduled" not in clause.moods and (
                (said in language.words["confirmations"] and language.times_named(clause)[0])
                or language.only_times("".join(clause.tokens[: hit.start])))
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

    def _left_to_them(self, before: list[str]) -> bool:
        """Someone else does it themselves (她自己跟你约) or is told to (让她, 叫我妈): a person of `third_persons`
        or `speakers` with 自己 right after them, or 让/叫 right before them, before the keyword in its clause."""
        for i, token in enumerate(before):
            if token in _LEFT_TO and i + 1 < len(before) and self._other(before[i + 1]):
                return True
            if self._other(token) and before[i + 1 : i + 2] == ["自己"]:
                return True
        return False

    def _on_their_behalf(self, before: list[str]) -> bool:
        """The customer acts for the other person (帮我朋友约, 替她问问): 帮/替/给/带 before the first person
        named. After them it is the person's own act for someone of theirs (我朋友也想给她女儿报舞蹈)."""
        first = next((i for i, token in enumerate(before) if self._other(token)), len(before))
        return not _ON_BEHALF.isdisjoint(before[:first])

    def _read_referring(self, clauses: list[ClauseInfo]) -> None:
        """Mood `referring`: someone else wants it too (邻居家小孩也想来, 我侄女也想学舞蹈)."""
        words = self._language.words
        also, wants = self._language.sets["also"], tuple(words["also_wants"])
        endings = tuple(also)  # one C-level test per token spares most tokens the walk over `also`
        named = self._language.also_pattern
        for ordinal, clause in enumerate(clauses):
            if named is None or named.search(clause.folded) is None:
                continue
            tokens = clause.tokens
            for i, token in enumerate(tokens):
                if not token.endswith(endings):
                    continue  # neither a word of `also` nor one glued after a person
                before = tokens[:i]
                if token not in also:
                    # A person glued to the word by a rule's keyword (女儿也想 in 表哥家的女儿也想学书法).
                    glued = next((word for word in also if len(token) > len(word) and token.endswith(word)), None)
                    if glued is None:
                        continue
                    before, token = [*before, token[: -len(glued)]], glued
                rest = token[1:] if len(token) > 1 else (tokens[i + 1] if i + 1 < len(tokens) else "")
                if rest.startswith(wants) and self._someone_elses(before):
                    clause.moods.add("referring")
                    break
                if rest.startswith(wants) and not before and self._subject_goes_on(clauses, ordinal):
                    clause.moods |= {"referring", "third_party"}  # 我同事…，也想来试试: the colleague's wish
                    break
        self._read_pronoun_wishes(clauses)
        self._read_others_child(clauses)
        self._read_relayed(clauses)

    def _read_pronoun_wishes(self, clauses: list[ClauseInfo]) -> None:
        """Also `referring` and `third_party`: a clause that opens with a pronoun of the third person and a wish
        (她想…, 他们打算…) after an earlier clause of its sentence that names someone else (我把你们推给邻居了，她想约
        周六; 帮我表哥问问，他想订两间): the pronoun is that person, the wish theirs. Not the customer's child (我女儿
        放假了，她想来学): a word of `own_speakers` is never someone else."""
        wants = self._language.wishes
        for ordinal, clause in enumerate(clauses):
            tokens = clause.tokens
            if ordinal == 0 or not tokens:
                continue
            # 她/想约, or 她想约 glued by a rule's keyword ({亲友}想约)
            pronoun = tokens[0] if tokens[0] in _PRONOUNS else next(
                (word for word in _PRONOUNS if tokens[0].startswith(word)), None)
            wish = (tokens[1] if len(tokens) > 1 else "") if pronoun == tokens[0] else tokens[0][len(pronoun or ""):]
            if pronoun is None or not wish.startswith(wants):
                continue
            earlier = [other for other in clauses[:ordinal] if other.sentence == clause.sentence]
            # the person may be glued into a rule's keyword (介绍给我表姐): looked for in the text too
            if any(self._other(token) for other in earlier for token in other.tokens) or any(
                    person in other.folded for other in earlier for person in self._others if len(person) > 1):
                clause.moods |= {"referring", "third_party"}

    def _subject_goes_on(self, clauses: list[ClauseInfo], ordinal: int) -> bool:
        """A clause with no subject of its own (…，也想来试试) goes on with the previous clause's subject of its
        sentence, and that subject is someone else: the person words it opens with (我同事, 我表姐, 她闺女)."""
        if ordinal == 0 or clauses[ordinal - 1].sentence != clauses[ordinal].sentence:
            return False
        tokens = clauses[ordinal - 1].tokens
        opening = 0
        while opening < len(tokens) and (tokens[opening] in _POSSESSORS or self._other(tokens[opening])):
            opening += 1
        return self._someone_elses(tokens[:opening])

    def _read_others_child(self, clauses: list[ClauseInfo]) -> None:
        """Also `referring`, with no 也: someone else's child (`own_speakers` after a person of theirs and 的 or
        家: 同事的女儿, 邻居家孩子, 表姐家的儿子) who wishes to come or learn (想, 打算, 准备, 要来…): 「我同事的女儿
        想学素描」. A child's wish is the family's own case only when the child is the customer's."""
        wants = self._language.wishes
        children = frozenset(self._language.words["own_speakers"])
        named = self._language.child_wishes_pattern
        for clause in clauses:
            if named is None or named.search(clause.folded) is None:
                continue
            tokens = clause.tokens
            for i in range(1, len(tokens)):
                if tokens[i - 1] not in children or not tokens[i].startswith(wants):
                    continue
                before = tokens[: i - 1]
                while before and before[-1] in ("的", "家", "家的"):
                    before = before[:-1]
                if before and before[-1].endswith("家") and len(before[-1]) > 1 and not self._other(before[-1]):
                    before = [*before[:-1], before[-1][:-1]]  # 表姐家 glued: the person is 表姐
                if before and self._other(before[-1]) and self._someone_elses(before):
                    clause.moods.add("referring")
                    break

    def _read_relayed(self, clauses: list[ClauseInfo]) -> None:
        """Someone else's question or wish passed on (我表妹在问你们家地址，想自己过去看看, 我同事想给她闺女报美术):
        `referring` and `relayed`, and so is the next clause of the sentence with no subject of its own. Not the
        household's (老公问), not the staff's (前台问两句就甩脸色), not one the customer makes for them (帮我妈问)."""
        relayed, household, starts = self._relayed
        for ordinal, clause in enumerate(clauses):
            if "referring" in clause.moods or starts.search(clause.folded) is None:
                continue
            tokens = clause.tokens
            for i, token in enumerate(tokens):
                if starts.match(token) is None:
                    continue
                said = token + tokens[i + 1] if token == "想" and i + 1 < len(tokens) else token
                before = tokens[:i]
                if said not in relayed or not self._someone_elses(before) or not household.isdisjoint(before) \
                        or not _ON_BEHALF.isdisjoint(before) or any(map(self._staff, before)):
                    continue
                if said.endswith("问") and not self._asks_the_business("".join(tokens[i + 1 :])):
                    continue  # 家长问一句就吼: a question told of, none passed on
                clause.moods |= {"referring", "relayed"}
                following = clauses[ordinal + 1] if ordinal + 1 < len(clauses) else None
                opening = following.tokens[:2] if following is not None else []
                named_again = bool(opening[:1]) and self._other(opening[0])
                if named_again:
                    opening = opening[1:]  # …，她想周末带孩子过去看看: the same person again, whoever she brings
                if following is not None and following.sentence == clause.sentence and opening[:1] \
                        and opening[0] in _GOING_ON and (named_again or _ON_BEHALF.isdisjoint(following.tokens)):
                    following.moods |= {"referring", "relayed"}
                break

    @cached_property
    def _relayed(self) -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
        """`relayed` and `household` as sets, and the characters a relayed word opens with."""
        words = self._language.words
        opening = "".join(sorted({re.escape(word[0]) for word in words["relayed"]}))
        return (frozenset(words["relayed"]), frozenset(words["household"]),
                compile_pattern(f"[{opening}]" if opening else "(?!)"))

    def _staff(self, token: str) -> bool:
        return token in self._language.words["staff"]

    def _asks_the_business(self, rest: str) -> bool:
        """What follows a verb of asking names the business or asks (问你们在哪报名, 在问你们家地址)."""
        return rest.startswith(self._language.words["business"]) or self._language.asks(rest)

    def hit_moods(self, hit: Hit, clause: ClauseInfo, clauses: list[ClauseInfo], ordinal: int) -> set[str]:
        """The clause's moods as they bear on one hit: passed, done and praised depend on where it sits."""
        moods = set(clause.moods)
        start = sum(map(len, clause.tokens[: hit.start]))
        end = start + sum(map(len, clause.tokens[hit.start : hit.end]))
        for marker in clause.markers:
            if marker.kind == "done" and start < marker.start and marker.end < end \
                    and clause.folded[marker.start : marker.end] not in hit.keyword:
                moods.add("done")  # 课/已经/补完/了: between an object and its verb, no part of the keyword
                continue
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
        if clause.quoted and any(a <= start and end <= b for a, b in clause.quoted):
            moods.add("quoted")  # 她说“我要投诉你们”: someone's words, quoted
        if "praised" not in moods and self._language.judged_after(clause.follows):
            moods.add("praised")  # 价格我看过了，挺合理的: the next clause praises what this one names
        said = "".join(clause.tokens[hit.start : hit.end])
        if self._language.sets_aside(clause.folded[end:]):
            moods.add("set_aside")  # 价格先不谈: the matter is put aside, nothing asked of it now
        if self._denied_later(hit.rule, clause.folded[end:]):
            moods.add("passed")  # 过敏的地方现在也不痒了: a word of the rule said again, denied, closed by 了
        elif self._completed(hit, clause, moods) or self._resolved_on(said, clause, end, moods, hit):
            moods.add("passed")  # 退款到了, 座位我选好了: the matter is carried through, nothing is wanted of it
        for later in clauses[ordinal + 1 :]:
            if later.sentence != clause.sentence:
                break
            if (later.markers and any(m.kind == "resolved" for m in later.markers)) or passed_later(said, later.folded):
                moods.add("passed")
        if hit.end - hit.start > 1 and "过" in said[1:-1] and "过" not in hit.keyword:
            moods |= {"done", "experienced"}  # 请/过/假, 退过/款: having done it, inside the keyword's words
        elif clause.tokens[hit.end : hit.end + 1] == ["过"] and "question" not in moods:
            moods.add("experienced")  # 投诉/过/一家店: something once done, told, not wanted now
        elif self._done_after(hit, clause, moods) or self._done_before(hit, clause, moods):
            moods.add("done")  # 我约/的是周三, 约/了/明天上午, 约/了/明天/复诊: arranged already
        before = clause.tokens[: hit.start]
        if "referring" in moods and self._someone_elses(before) and not self._on_their_behalf(before):
            moods.add("third_party")  # 邻居家小孩也想来: their visit, not the customer's (a referral)
        elif ("自己" in clause.folded or "让" in clause.folded or "叫" in clause.folded) and self._left_to_them(before):
            moods.add("third_party")  # 我让她自己加你微信约时间, 叫他直接过来: their booking, not the customer's
        if self._named(hit, clause, moods):
            moods.add("named")  # 退款政策写得挺清楚: the policy is talked about, no refund is asked
        if self._rules[hit.rule].tag == OPT_OUT_TAG:
            moods |= self._opt_out_moods(hit, clause, start, end)  # 合同不用再发了, 别打电话，微信说 (opt_out.py)
            if moods & {"done", "experienced"} and self._still_sent(clause):
                moods -= {"done", "experienced"}  # 之前退订过，你们怎么又发了: the opt-out stands
        if "rescheduled" in moods:
            moods.discard("done")  # 约好的时间改到周三: what was arranged is being moved, still wanted
        if self._recounted(hit, clause, clauses, moods, start):
            moods.add("recounted")  # 会籍已经续好了，谢谢: something done, told in a message that wants nothing
        if not moods & _NOT_STATEMENT:
            moods.add("statement")
        return moods

    def _recounted(self, hit: Hit, clause: ClauseInfo, clauses: list[ClauseInfo], moods: set[str], start: int) -> bool:
        """Something done already (`done`, `experienced`), told in a message that asks and requests nothing: not a
        keyword of what is not done yet (还没做好), nor one done only by a marker after it, which names a thing
        (取上次那幅: 上次 says which picture, the fetching is wanted)."""
        if not moods & {"done", "experienced"} or any(char in hit.keyword for char in _NOT_YET):
            return False
        if "experienced" not in moods and not any(m.kind == "done" and m.start < start for m in clause.markers) \
                and any(m.kind == "done" for m in clause.markers):
            return False
        return not asks_anywhere(self._language, clause, clauses)

    def _asks_for(self, clause: ClauseInfo, moods: set[str], hit: Hit) -> bool:
        """The clause asks yes or no, wishes, closes with 吧 (全退了吧) or disposes of something with
        把 and nothing done (把定金退了): it wants what it names."""
        return ("question" in moods or clause.folded.rstrip(_CLOSING_NON_REQUEST).endswith("吧")
                or (clause.tokens[hit.start] == "把" and all(m.kind != "done" for m in clause.markers))
                or "request" in self._language.intent_moods(clause))

    def _resolved_on(self, said: str, clause: ClauseInfo, end: int, moods: set[str], hit: Hit) -> bool:
        """The keyword closes with 退, giving back, and a resolution complement follows, glued by the segmenter to
        what comes after (钱退/了, 原路退/回了, 退/回来了), told: the money came back (押金原路退回了); a resolution
        marker cannot open inside the keyword's token. Not asked or wished (课时费退了吗, 把定金退了吧)."""
        if not said.endswith(_GIVE_BACK) or any(token.startswith(_DISPOSALS) for token in clause.tokens[: hit.end]):
            return False  # 把没用完的钱给我退了: money still to give back
        rest = clause.folded[end:]
        rest = rest[2:] if rest.startswith("回来") else rest[1:] if rest.startswith("回") else rest
        return rest.startswith(self._complements) and not self._asks_for(clause, moods, hit)

    def _completed(self, hit: Hit, clause: ClauseInfo, moods: set[str]) -> bool:
        """After the keyword its clause closes with a result of `[language] completions` and 了, told: the
        matter is carried through (退款/到/了, 换货/已经/寄/回来/了); not denied (还没到), still to come (快到了)
        nor asked or wished (到了吗, 帮我办好了吧)."""
        tokens = clause.tokens
        last = len(tokens)
        while last > hit.end and tokens[last - 1] in _CLOSING_NON_REQUEST:
            last -= 1  # 收到了啊
        if last - hit.end < 2 or tokens[last - 1] != "了" or "question" in moods:
            return False
        result = tokens[last - 2]
        if not result.endswith(self._language.words["completions"]) or result[:1] in _NEGATORS:
            return False
        if result in self._language.sets["locatives"] and last - 2 > hit.end and len(tokens[last - 3]) > 1:
            return False  # 头撞到/柜子/上/了: a place, no result of a verb (用/上/了 is)
        between = tokens[hit.end : last - 2]
        if any(token[:1] in _NEGATORS or token in _STILL_TO_COME for token in between):
            return False  # 还/没到, 快/到了, 马上/就/好了
        return "request" not in self._language.intent_moods(clause)

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
            # 阳台掉漆的问题补过以后就不掉了: a two-character word said again by one of its characters
            cores = sorted({core for word in words for core in word_cores(word)})
            branches = [f"(?:{trie_regex(PASSED_NEGATORS)})(?:{trie_regex(words)})了"] if words else []
            branches += [core_denial("".join(cores))] if cores else []
            pattern = compile_pattern("|".join(branches)) if branches else _NEVER
            self._denied_patterns[rule] = pattern
        return pattern.search(after) is not None

    def _named(self, hit: Hit, clause: ClauseInfo, moods: set[str]) -> bool:
        """The keyword modifies a noun of `[language] topic_heads` (退款/政策, 投诉/处理/流程, 预约/的/页面)
        in a clause that neither asks yes or no nor wishes: a thing is named, no intent said. A head
        of `documents` (政策, 规定, 须知…) is named even when asked for, and so is a keyword that tells
        which thing with 的 and one of `demonstratives` (退给我的/那张卡)."""
        words, sets = self._language.words, self._language.sets
        if len(hit.spans) > 1 or hit.keyword[:1] in _NEGATORS:
            return False  # 别*发/短信, 不要/推送: an opt-out names what it stops
        if self._thing_returned(hit, clause):
            return True  # 退给我们的作业本, 老师退回来的作业: what is given back is no money
        after = clause.tokens[hit.end : hit.end + 3]
        if after[:1] == ["的"] and after[1:2] and after[1].startswith(words["demonstratives"]):
            said = "".join(clause.tokens[hit.start : hit.end])
            wished = said.startswith(words["request"]) or clause.tokens[hit.start - 1 : hit.start] and \
                clause.tokens[hit.start - 1] in words["request"]
            if not wished:
                return True  # 退给我的那张卡: the keyword tells which thing (not 想约的那个医生哪天在)
        if after[:1] == ["的"] or (after[:1] and after[0] in sets["named_links"]):
            after = after[1:]
        if not after or after[0] not in sets["topic_heads"]:
            return False
        if after[0] in sets["documents"]:
            return True  # 退款政策写在哪: a document is asked for, not what it governs
        return "question" not in moods and not self._language.intent_moods(clause)

    def _thing_returned(self, hit: Hit, clause: ClauseInfo) -> bool:
        """A giving back said as a verb (退给我, 退回来: a keyword of 退 and a direction, `_GIVEN_BACK`) before 的
        and a noun, that names no money (`money_words`) up to the clause's end: 「退给我们的作业本还没发下来」,
        「老师退回来的作业要重写吗」 tell of a thing given back; 「退给我的钱什么时候到」 asks for money."""
        said = "".join(clause.tokens[hit.start : hit.end])
        rest = clause.tokens[hit.end :]
        if said[:1] != "退" or said[1:2] not in _GIVEN_BACK:
            return False
        while rest[:1] and rest[0] in _FIRST_PERSON_PLURAL:
            rest = rest[1:]  # 退给我/们/的
        if rest[:1] != ["的"] or len(rest) < 2:
            return False
        after = "".join(rest[1:])
        return not any(word in after for word in self._language.words["money_words"])

    def _done_before(self, hit: Hit, clause: ClauseInfo, moods: set[str]) -> bool:
        """A keyword of the same rule told done by 了 earlier in the clause (约/了/明天/复诊): the keyword is the
        object of what was arranged already (not by 的, which follows a time as often: 明早/的/接送)."""
        tokens = clause.tokens
        for at in range(hit.start - 1):
            if tokens[at + 1] == "了" and any(entry.rule == hit.rule and not entry.exclude and not entry.rest
                                              for entry in self._lookup.get(tokens[at], ())):
                earlier = Hit(hit.rule, tokens[at], at, at + 1, ((at, at + 1),), False)
                return self._done_after(earlier, clause, moods)
        return False

    def _done_after(self, hit: Hit, clause: ClauseInfo, moods: set[str]) -> bool:
        """An aspect right after the keyword (`done_aspects`: 了 with more after it, 的) in a clause
        that neither asks yes or no nor wishes: what the keyword names is arranged already."""
        words = self._language.words
        said = "".join(clause.tokens[hit.start : hit.end])
        after = clause.tokens[hit.end : hit.end + 2]
        if len(said) > 1 and said[-1] in words["done_complements"] and hit.keyword[-1:] in words["done_complements"]:
            pass  # 约好: arranged, whatever follows
        elif after[:1] and after[0] in words["done_results"] and after[1:2] == ["了"]:
            pass  # 约/到/了, 约/上/了: got it, arranged
        elif not after or after[0] not in words["done_aspects"]:
            return False
        elif after[0] == "了" and (len(after) < 2 or after[1] in TRAILING_PARTICLES):
            return False  # 今天请假了 announces, it does not report
        wished = any(said.startswith(word) and len(said) > len(word) for word in self._language.words["request"])
        return not wished and "question" not in moods and "request" not in self._language.intent_moods(clause)


def _praise_negated(clause: ClauseInfo, marker: Marker) -> bool:
    """不专业, 不太满意: praise after a negator is no praise."""
    before = clause.folded[: marker.start]
    return any(before.endswith(negator) for negator in NEGATED_PRAISE)

