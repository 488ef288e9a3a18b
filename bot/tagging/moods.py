"""Reading each clause's moods from its markers and those of its neighbours.

`read_moods` fills `ClauseInfo.moods` for one message: questions (吗, A-not-A, a bare ？), suppositions,
worries, hearsay, deferrals, passed states, praise, grievances and the rest of `MOODS`
(bot/tagging/words.py), each from the markers `Language.markers` found (bot/tagging/language.py).
`read_topics` reads a clause that only names what a question after it asks about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.tagging.conditions import conditions, is_premise, supposes_availability
from bot.tagging.language import SENTENCE_END_PATTERN, ClauseInfo, Language
from bot.tagging.negation import a_not_a

_CLOSING_PARTICLES = "了啦吧啊呀哈呢哦喔嘛嘞的"
_HELD_BACK_GAP = ",，、 ~～…"
# A clause with one of these tells something; it is no topic named for a question after it.
_TELLING = frozenset(("了", "过", "我", "我们", "着"))
_ASKS = frozenset(("question", "asking", "request"))  # a clause in which the customer asks or wants something
_REQUESTS = ("帮我", "帮忙", "麻烦", "请你", "给我")  # a request in the rest of a message that passes words on
_CLOSING_QUESTIONS = ("吗", "呢", "么", "嘛", "吧")  # 吧 checks or proposes: 没问题吧, 退了吧
_PIECE_BREAKS = re.compile(r"[，。,.!！~～\s]+")
_NUMBER = "(?:[0-9]+|[一二两三四五六七八九十几]+)"  # `#` in a word of `amount_questions`


def read_moods(language: Language, clauses: list[ClauseInfo], intent: bool = True, negative: bool = True,
               grievance: frozenset[str] = frozenset(), premises: tuple[str, ...] = ()) -> None:
    """Fill each clause's moods from its markers and those of its neighbours (`asking` and
    `request` only with `intent`, the grievance moods only those in `grievance`: a rule set that
    never looks at them does not pay for them); `premises`: the rules' own keywords, each an act a question may
    take as its premise besides `[language] premises` (刻字的话字数有限制吗)."""
    words = language.words
    particles, report_questions, question_words = language.question_sets
    kinds_of = []  # each clause's marker kinds, read once: most clauses hold no marker at all
    for clause in clauses:
        kinds = {m.kind for m in clause.markers}
        kinds_of.append(kinds)
        if _is_question(clause.tokens, particles, report_questions, question_words, clause.asked):
            clause.moods.add("question")
        if "rhetorical" in kinds or _not_is_question(clause.tokens):
            clause.moods.add("rhetorical")
            clause.moods.discard("question")
        for kind in ("hypothetical", "worry", "expectation"):
            if kind in kinds:
                clause.moods.add(kind)
        if "hypothetical" in kinds and supposes_availability(
                clause.folded, clause.markers, words["availability"], words["staff"], language.only_times):
            clause.moods.discard("hypothetical")
            clause.moods.add("available")  # 还有位置的话我就过去: the business's state, not the customer's
        if "hearsay" in kinds and not _own_voice(clause, words["own_speakers"]):
            # 孩子说老师好凶, 孩子说耳朵疼: the customer's child tells the family's own case
            clause.moods |= {"hearsay", "reported"}
        elif _outsiders_case(clause.tokens, language.sets["outsiders"]):
            clause.moods.add("hearsay")  # 朋友家的水有怪味: someone outside the family's own case, told
        if "reschedule" in kinds:
            _read_move(language, clause)
        if "人" in clause.folded and language.changes_party(clause.folded):
            clause.moods.add("changed")  # 能多加一个人吗, 人数从六个变成五个: the party booked changed
        if "company" in kinds:
            clause.moods.add("accompanying")  # 老公陪我一起过来: he comes along, he is not referred
        for marker in clause.markers:
            if marker.kind == "mild":
                # 效果一般 judges; 一般会肿 expects (一般 is in both lists by default).
                word = clause.folded[marker.start : marker.end]
                if _closes(clause.folded, marker.end):
                    clause.moods.add("mild")
                elif word in words["expectation"]:
                    clause.moods.add("expectation")
        if intent:
            clause.moods |= language.intent_moods(clause)
        if "hearsay" in clause.moods and _own_question(clause, question_words):
            clause.moods -= {"hearsay", "reported"}  # 朋友说有活动，多少钱 / 听说可以分期吗: the customer asks
    _read_premises(language, clauses, premises)
    # Supposing, worrying and hearsay reach to the end of the sentence (万一效果不好，能退吗); the
    # customer's own word ends hearsay: a question of theirs (朋友说有优惠，多少钱) or a clause that
    # starts with 我 (听说会肿，我做完是有点肿).
    for previous, clause in zip(clauses, clauses[1:], strict=False):
        if previous.sentence == clause.sentence:
            carried = previous.moods & {"hypothetical", "worry", "hearsay"}
            if "hearsay" in carried and (clause.tokens[:1] in (["我"], ["我们"], ["自己"], ["我自己"])
                                         or _own_question(clause, question_words)):
                carried.discard("hearsay")
            if "worry" in carried and clause.folded.startswith(_CONSEQUENCES):
                carried.discard("worry")  # 怕传染给别的小朋友，就不去了: what the fear decided is done, not feared
            clause.moods |= carried
    # A strong judgement is the customer's own, not one they pass on (听同事说你们退费特别慢).
    for clause in clauses:
        if negative and ("hearsay" not in clause.moods or _own_voice(clause, words["own_speakers"])) \
                and language.negative(clause.folded):
            clause.moods.add("negative")
    if grievance:
        _read_grievances(language, clauses, grievance)
    _read_settled(clauses)
    # A plan given up (本来想请假的，后来想想还是去吧): the clause that names it, when more words follow.
    for clause, clause_kinds in zip(clauses, kinds_of, strict=True):
        if clause.more_after and "reversal" in clause_kinds:
            clause.moods.add("reversed")
    _read_held_back(clauses, words["held_wishes"], words["contrasts"], question_words)
    _read_excused(clauses, words["excuses"], words["reasons"], question_words)
    _read_payment(clauses, words["amount_questions"])
    _read_remedy(clauses)
    _read_from_work(clauses, words["workplaces"], words["own_speakers"])
    _read_attending(clauses, language.sets["visits"], language.sets["attendance"], words["escorts"])
    _read_misdirected(words, clauses)
    _read_accused(words, clauses)
    _read_compared(words, clauses)
    _read_rebutted(words["rebuttals"], clauses)
    _read_teasing(words["delight"], words["contrasts"], clauses)
    _read_thanked(words["thanks"], clauses)
    _read_doubted(words["doubts"], clauses)
    _read_overheard(language, clauses)
    # The readings below each need a marker most messages do not hold: looked up once for the message.
    kinds = set().union(*kinds_of)
    if "company" in kinds:
        _read_company(clauses)
    if "acceptance" in kinds or "mild" in kinds:
        _read_accepted(language, clauses)
    if "informed" in kinds:
        _read_informed(language, clauses)
    if "during" in kinds:
        _read_during(clauses)
    if "confirming" in kinds:
        _read_confirming(language, clauses)
    # Moving an arrangement is what the whole sentence does (我之前约的周四，能换到周六吗).
    # A move only supposed (要是需要改时间我会提前说) moves nothing.
    moved = {clause.sentence for clause in clauses
             if "rescheduled" in clause.moods and "hypothetical" not in clause.moods}
    for clause in clauses:
        if clause.sentence in moved:
            clause.moods.add("rescheduled")
    # Running late for what stands (我那个预约可能要晚到十分钟) is what the whole sentence tells, unless it moves it
    # or asks to be late (想晚半个小时过去可以吗, 能晚点到吗: a move of the booking).
    late = {clause.sentence for clause, clause_kinds in zip(clauses, kinds_of, strict=True)
            if "lateness" in clause_kinds} - moved
    late -= {clause.sentence for clause in clauses if "question" in clause.moods or "想" in clause.folded}
    for clause in clauses:
        if clause.sentence in late:
            clause.moods.add("running_late")
    # Putting off reaches back over the whole message (想约的，不过最近忙，下个月再说).
    deferred = False
    for clause, clause_kinds in zip(reversed(clauses), reversed(kinds_of), strict=True):
        deferred = deferred or "deferral" in clause_kinds
        if deferred:
            clause.moods.add("deferred")


# How a time named after a move begins (周五, 下周, 明天, 3点, 十点).
_TIME_STARTS = ("周", "星期", "礼拜", "下", "上", "明", "后", "今", "这", "那", "月", "早", "晚", "中午", *"0123456789",
                *"一二两三四五六七八九十")


# A clause that opens with one of these tells what the customer decided (怕传染，就不去了; 担心过敏，所以想先约个面诊).
_CONSEQUENCES = ("就", "所以", "于是", "那就", "干脆", "因此")


def _read_move(language: Language, clause: ClauseInfo) -> None:
    """`rescheduled` for a move of what was arranged, not one done by others and asked about (是不是被改到周五了),
    nor an arrival (我们提前到了); a swap (`[language] swaps`: 改成, 换成, 调成) moves it only to a time (改成周五,
    换成17:30的); to anything else it is `changed`, what was arranged swapped for another (能调成连座吗)."""
    text, swaps = clause.folded, language.words["swaps"]
    for marker in clause.markers:
        if marker.kind != "reschedule" or text[marker.start - 1 : marker.start] == "被" or _arrived(text, marker.end):
            continue
        if text[marker.start : marker.end] in swaps and not language.time_at(text, marker.end):
            clause.moods.add("changed")
        else:
            clause.moods.add("rescheduled")


def _arrived(text: str, end: int) -> bool:
    """A move's 到 closed by 了 and no time after it (我们提前到了，能先进去吗): the customer has arrived early,
    nothing is moved (课提前到了周五 still moves)."""
    if text[end - 1 : end] != "到" or text[end : end + 1] not in ("了", "啦"):
        return False
    return not text[end + 1 :].startswith(_TIME_STARTS)


def _read_misdirected(words: dict[str, tuple[str, ...]], clauses: list[ClauseInfo]) -> None:
    """A clause with a send fault (发错, 打错) about a chat message sent to the wrong place: the message says so
    (发错人了, 不是给你的), or a chat message is named before the fault (刚才的语音发错了): `misdirected`, unless the
    business is named as the sender before it (你们把报告发错人了)."""
    faults = words["send_faults"]
    if not clauses:
        return
    whole = clauses[0].precedes + clauses[0].folded + clauses[0].follows
    if not any(fault in whole for fault in faults):
        return  # most messages: a few substring tests in C, no clause read
    for clause in clauses:
        text = clause.folded
        at = min((text.find(fault) for fault in faults if fault in text), default=-1)
        if at < 0:
            continue
        before = text[:at]
        if any(sender in before for sender in words["senders"]):
            continue
        message = clause.precedes + text + clause.follows
        if any(item in before for item in words["chat_items"]) or any(w in message for w in words["misdirected"]):
            clause.moods.add("misdirected")


def _read_accused(words: dict[str, tuple[str, ...]], clauses: list[ClauseInfo]) -> None:
    """A clause telling of a complaint made against the customer (邻居投诉我们了, 被楼上投诉了, 客人给我打差评):
    a word of `accusations` with one of `accused_parties` right after it, or 给 and one of them shortly before
    it, or 被 shortly before it and no `senders` word around (你们被投诉过吗 asks of the business): `accused`."""
    accusations, parties = frozenset(words["accusations"]), frozenset(words["accused_parties"])
    senders = words["senders"]
    for clause in clauses:
        tokens = clause.tokens
        for at, token in enumerate(tokens):
            if token not in accusations:
                continue
            after = tokens[at + 1] if at + 1 < len(tokens) else ""
            window = tokens[max(0, at - 4) : at]
            given = any(word == "给" and nxt in parties for word, nxt in zip(window, window[1:], strict=False))
            passive = "被" in window and not any(sender in "".join(tokens[: tokens.index("被")]) or after == sender
                                                 for sender in senders + ("你",))
            if after in parties or given or passive:
                clause.moods.add("accused")
                break


def _read_compared(words: dict[str, tuple[str, ...]], clauses: list[ClauseInfo]) -> None:
    """Clauses naming another business (`other_businesses`: 那家, 别家) before a preference for this one
    (`preferences` with a praise or a word of `preferred_as` after it in its clause: 还是你们家好): `compared`."""
    if not clauses:
        return
    whole = clauses[0].precedes + clauses[0].folded + clauses[0].follows
    if not any(word in whole for word in words["preferences"]):
        return  # most messages: a few substring tests in C, no clause read
    judged = words["praise"] + words["preferred_as"]
    for clause in clauses:
        after = clause.follows
        for word in words["preferences"]:
            at = after.find(word)
            if at < 0:
                continue
            rest = re.split(r"[，。！？,.!?；;\s]", after[at + len(word) :], maxsplit=1)[0]
            if any(judged_word in rest for judged_word in judged) and any(
                    other in clause.precedes + clause.folded for other in words["other_businesses"]):
                clause.moods.add("compared")
                break


# An echo: a word said back as a question (投诉？, 不满意？), a few characters at most.
_ECHO_LENGTH = 6
# A rebuttal that passes on someone's words (退款？财务说不可能) denies nothing of the customer's.
_SAYING = ("说", "讲", "告诉")
# A clause with one of these asks in words (能退款吗？), it echoes nothing.
_ASKING_CHARS = frozenset("吗么呢嘛能可要想")
_PIECE = re.compile(r"[^，。！？,.!?；;\s~～]+")


def _read_rebutted(rebuttals: tuple[str, ...], clauses: list[ClauseInfo]) -> None:
    """A short clause closed by ？ whose next clause holds a word of `rebuttals` (投诉？不存在的; 差评？给你们五星都
    嫌少) echoes a word to deny it: `rebutted`. The next clause is read from `follows` (a clause without a keyword
    may not be among `clauses`)."""
    if not rebuttals:
        return
    for clause in clauses:
        if not clause.asked or len(clause.folded.strip()) > _ECHO_LENGTH or _ASKING_CHARS.intersection(clause.folded):
            continue  # 能退款吗？不可能吧: asked in words, no echo
        after = next(iter(_PIECE.findall(clause.follows)), "")
        if any(word in after for word in rebuttals) and not any(word in after for word in _SAYING):
            clause.moods.add("rebutted")


# Before a word of delight, what denies it (不喜欢, 不太舒服, 没那么开心), or asks it back (谁还喜欢, 谁会爱上).
_DELIGHT_DENIED = re.compile("(?:不|没|没有|别|不太|不怎么|没那么|不再|不会|谁还|谁会|谁)$")


def _read_teasing(delight: tuple[str, ...], contrasts: tuple[str, ...], clauses: list[ClauseInfo]) -> None:
    """A clause whose sentence goes on, after it or in it after its first words, to a word of `delight` not denied
    (气死我了，又被你们家效果圈粉一次; 烦死了，不过做完整个人都舒坦了): the anger is a tease, `teasing`. Not when
    a contrast opens the clause after the delight (孩子很喜欢你们，但是前台太凶了: the delight is before it), nor a
    delight that names someone (我喜欢的那个医生还不在)."""
    if not delight:
        return
    for clause in clauses:
        if clause.folded.lstrip("，, ").startswith(contrasts):
            continue
        said = _to_sentence_end(clause)
        for word in delight:
            at = said.find(word, 1)
            while at > 0:
                if not _DELIGHT_DENIED.search(said[:at]) and said[at + len(word) : at + len(word) + 1] != "的":
                    clause.moods.add("teasing")
                    break
                at = said.find(word, at + 1)
            if "teasing" in clause.moods:
                break


# What a thank-you opens with before the help it thanks for (好的谢谢你帮我约上了).
_THANKS_OPENERS = ("好的", "好", "嗯嗯", "嗯", "哇", "太好了")
# The help is done: a completion on a verb after 帮 (约/到, 抢到, 约好, 退/了).
_DONE_ENDINGS = ("了", "到", "好", "上", "完")


def _read_thanked(thanks: tuple[str, ...], clauses: list[ClauseInfo]) -> None:
    """A clause that opens with a word of `thanks` for help given, 帮 or 替 and then a verb with a completion (谢谢你
    帮我抢到周六的位置, 多谢帮我约好了): what it names is `done`, nothing is asked; 谢谢，帮我约周六 still asks."""
    if not thanks:
        return
    for clause in clauses:
        opening = clause.folded
        for opener in _THANKS_OPENERS:
            opening = opening.removeprefix(opener)
        if not opening.startswith(thanks):
            continue
        tokens = clause.tokens
        helped = next((i for i, token in enumerate(tokens) if token.startswith(("帮", "替"))), None)
        if helped is not None and any(len(token) > 1 and token.endswith(_DONE_ENDINGS) or token == "了"
                                      for token in tokens[helped + 1 :]):
            clause.moods.add("done")


def _to_sentence_end(clause: ClauseInfo) -> str:
    """The clause and what follows it to the end of its sentence, joined by a comma."""
    return clause.folded + "，" + SENTENCE_END_PATTERN.split(clause.follows, maxsplit=1)[0]


def _read_doubted(doubts: tuple[str, ...], clauses: list[ClauseInfo]) -> None:
    """Someone's words passed on (`hearsay`, `reported`) that the sentence goes on to doubt, a word of `doubts` (听别的
    家长说你们老师上课玩手机，不会是真的吧): the customer asserts nothing, `doubted`."""
    if not doubts:
        return
    for clause in clauses:
        if not clause.moods & {"hearsay", "reported"}:
            continue
        said = _to_sentence_end(clause)
        if any(word in said for word in doubts):
            clause.moods.add("doubted")


def _read_overheard(language: Language, clauses: list[ClauseInfo]) -> None:
    """Someone's words passed on (`reported`: 朋友说你们鉴定挺准, 老师说请假要在群里接龙) in a message that asks and
    requests nothing are `overheard`: the customer tells what was said and wants nothing of it now; 婆婆说要加个节目，
    能安排吗 asks, and its words are the customer's wish again."""
    reported = [clause for clause in clauses if "reported" in clause.moods]
    if reported and not asks_anywhere(language, reported[-1], clauses):
        for clause in reported:
            clause.moods.add("overheard")


def asks_anywhere(language: Language, clause: ClauseInfo, clauses: list[ClauseInfo]) -> bool:
    """Whether the message of `clause` asks or requests anything: in one of its `clauses` (a wish in someone's words
    passed on, 老师说请假要在群里接龙, is theirs), or in the text of the message around and in `clause` (a piece of
    the message without a keyword is no clause, so its text is read)."""
    return any(other.moods & _ASKS or ("reported" not in other.moods and language.intent_moods(other))
               for other in clauses) \
        or _asks_in(language, clause.precedes + "，" + clause.folded + "，" + clause.follows)


def _asks_in(language: Language, text: str) -> bool:
    """Whether `text` asks (a question word, ？, a piece closing on 吗/呢/么/嘛/吧) or requests (帮我, 麻烦)."""
    if not text:
        return False
    if "?" in text or "？" in text or any(word in text for word in _REQUESTS) or language.asks(text):
        return True
    return any(piece.rstrip("啊呀啦哈哦").endswith(_CLOSING_QUESTIONS) for piece in _PIECE_BREAKS.split(text))


def _read_premises(language: Language, clauses: list[ClauseInfo], keywords: tuple[str, ...] = ()) -> None:
    """A clause that supposes only the customer's act (现在报名的话, or one a rule names: 换货的话) when its sentence
    then asks (…哪天能开始上, …要寄回去吗): the premise of an enquiry, `premise` and `asking`, not `hypothetical`."""
    premises: tuple[str, ...] | None = None
    for clause in clauses:
        if "hypothetical" not in clause.moods:
            continue
        premises = premises or (*language.words["premises"], *keywords)
        found = conditions(clause.folded, clause.markers)
        if not found or not all(is_premise(c, premises, language.only_times) for c in found):
            continue
        rest = SENTENCE_END_PATTERN.split(clause.follows, maxsplit=1)
        tail = rest[0]
        supposed_to = max(m.end for m in clause.markers if m.kind == "hypothetical")
        asked = clause.folded[supposed_to:] + tail
        if any(word in asked for word in language.words["money_words"]) and not all(
                is_premise(c, language.words["premises"], language.only_times) for c in found):
            continue  # 加急的话要加钱吗: what the act costs is asked, the act itself is only supposed
        if ("question" in clause.moods or language.asks(clause.folded) or language.asks(tail) or "吗" in tail
                or clause.follows[len(tail) : len(tail) + 1] in ("?", "？")):
            clause.moods.discard("hypothetical")
            clause.moods |= {"premise", "asking"}  # the act is what the question asks about
            language.intent_moods(clause).add("asking")


def read_topics(language: Language, clauses: list[ClauseInfo], named: Sequence[bool],
                enquired: Callable[[int], bool] | None = None) -> None:
    """A clause that only names a thing (物理小班和一对一, 下周开始的那个周三晚上的班), followed in its sentence by
    a question with no subject and no keyword of its own (`named`: the clause has keyword hits): 效果上差别大吗,
    是几点到几点 ask about that thing, so the clause asks with it (`topic` and `asking`). Not a clause that tells
    something (了, 过, 我), nor a question a person opens (周六的钢琴课，孩子能请假吗) or that names its own matter
    (课还剩十节，能退吗 asks for money back). `enquired(ordinal)` limits it to the clauses holding an enquiry
    rule's hit."""
    people = language.subjects
    for ordinal, clause in enumerate(clauses):
        if clause.moods or not clause.follows or clause.follows[0] not in _HELD_BACK_GAP \
                or not _TELLING.isdisjoint(clause.tokens) or (enquired is not None and not enquired(ordinal)):
            continue
        following = clauses[ordinal + 1] if ordinal + 1 < len(clauses) else None
        if following is not None and named[ordinal + 1] and following.sentence == clause.sentence:
            continue
        rest = clause.follows.lstrip(_HELD_BACK_GAP)
        if len(rest) == len(clause.follows) or rest.startswith(people):
            continue  # the clause must end at a comma, and the question must have no subject
        tail = SENTENCE_END_PATTERN.split(rest, maxsplit=1)[0]
        if "，" in tail or "," in tail:
            continue
        if language.asks(tail) or tail.endswith(("吗", "呢")) or rest[len(tail) : len(tail) + 1] in ("?", "？"):
            clause.moods |= {"topic", "asking"}
            language.intent_moods(clause).add("asking")
            if following is not None and "payment" in following.moods:
                clause.moods.add("payment")  # 上次交的材料费，收据能补一张吗: the question handles a payment


def _read_held_back(clauses: list[ClauseInfo], wishes: tuple[str, ...], contrasts: tuple[str, ...],
                    question_words: tuple[str, ...]) -> None:
    """A wish closed with 的 and a contrast after it that asks nothing to the sentence's end (想约的，
    但是下个月才回国): the wish is held back, `reversed`. 想约的，但是周六还有位置吗 still books."""
    for clause in clauses:
        rest = clause.follows.lstrip(_HELD_BACK_GAP)
        if not rest.startswith(contrasts) or not clause.folded.rstrip(_CLOSING_PARTICLES[:-1]).endswith("的") \
                or not any(wish in clause.folded for wish in wishes):
            continue
        tail = SENTENCE_END_PATTERN.split(rest, maxsplit=1)[0]
        if not any(word in tail for word in (*question_words, "吗", "?", "？")) and rest[len(tail) : len(tail) + 1] \
                not in ("?", "？"):
            clause.moods.add("reversed")


def _read_excused(clauses: list[ClauseInfo], excuses: tuple[str, ...], reasons: tuple[str, ...],
                  question_words: tuple[str, ...]) -> None:
    """A wish denied twice and then excused (也不是不想来，这阵子出差; 不是不想约，是最近太忙了): what the customer
    would like is not happening now, `reversed`, and so is the reason given in the next clause of the sentence when
    it opens with one of `reasons` (是孩子下学期要转学). Not when the rest of the sentence asks (不是不想约，你们周六
    还有位置吗 still books)."""
    for ordinal, clause in enumerate(clauses):
        if not clause.more_after or not any(excuse in clause.folded for excuse in excuses):
            continue
        rest = clause.follows.lstrip(_HELD_BACK_GAP)
        tail = SENTENCE_END_PATTERN.split(rest, maxsplit=1)[0]
        if any(word in tail for word in (*question_words, "吗", "?", "？")) or rest[len(tail) : len(tail) + 1] in (
                "?", "？"):
            continue
        clause.moods.add("reversed")
        following = clauses[ordinal + 1] if ordinal + 1 < len(clauses) else None
        if following is not None and following.sentence == clause.sentence and following.folded.startswith(reasons):
            following.moods.add("reversed")


def _read_grievances(language: Language, clauses: list[ClauseInfo], wanted: frozenset[str]) -> None:
    """The grievance moods of each clause (bot/tagging/grievance.py), staff read over its sentence."""
    grievances, money = language.grievances, language.words["money_words"]
    for clause in clauses:
        sentence = None
        if language.grievance_trigger.search(clause.folded) is None and not (
                clause.asked and grievances.reproaches.asked_back(clause.folded)):
            if language.grievance_spanning is None:
                continue  # most clauses: one search
            sentence = "，".join(other.folded for other in clauses if other.sentence == clause.sentence)
            if language.grievance_spanning.search(sentence) is None:
                continue  # a time overrun or a price misquoted is told over the sentence
        if sentence is None:
            sentence = "，".join(other.folded for other in clauses if other.sentence == clause.sentence)
        clause.moods |= grievances.moods(clause.folded, clause.bounds, language.negative_pattern,
                                         sentence, money, wanted, "rhetorical" in clause.moods, clause.asked)


_OPENING_OWNER = frozenset(("我", "我的", "我们", "我们的", "有个", "我有个", "有位", "听"))  # 我/朋友, 有个/同事
_OUTSIDER_LINKS = ("家", "家的", "的")  # 朋友家, 邻居家的, 同事的
_CUSTOMERS_OWN = frozenset(("我", "我们", "我家", "咱", "咱们", "自己", "我自己"))


def _outsiders_case(tokens: list[str], outsiders: frozenset[str]) -> bool:
    """The clause opens with someone outside the customer's family (`[language] outsiders`: 朋友, 同事, 邻居,
    隔壁…, or their home or thing, 朋友家, 同事的), and the customer is not in it: it tells that person's own
    case (朋友植发后肿了一周, 隔壁家的树长虫了), not the customer's."""
    first = 0
    while first < len(tokens) - 1 and tokens[first] in _OPENING_OWNER:
        first += 1
    opening = tokens[first] if tokens else ""
    if opening not in outsiders and not any(
            opening.startswith(person) and opening[len(person):] in _OUTSIDER_LINKS for person in outsiders):
        return False
    return _CUSTOMERS_OWN.isdisjoint(tokens[first + 1 :])


def _own_voice(clause: ClauseInfo, own_speakers: tuple[str, ...]) -> bool:
    """Every speech marker of the clause is the customer's child's (孩子说, 女儿说): their own case."""
    said = [m for m in clause.markers if m.kind == "hearsay"]
    return bool(said) and all(clause.folded.startswith(own_speakers, m.start) for m in said)


def _read_accepted(language: Language, clauses: list[ClauseInfo]) -> None:
    """A clause that accepts a price or a term (这个价位我们能接受, 价格方面没什么问题) is `accepted`, and so are
    the clauses of its sentence before it (收费是高了点，不过也还行) and after it up to one that opens with a
    contrast (服务没问题，就是价格太贵了: the reservation is the customer's concern). A clause that asks is never
    accepted, and nothing is where the accepting clause itself asks (价格可以接受吗) or the sentence asks an amount
    (没问题，那一次多少钱; 价格还能接受，有分期吗): a question after it about another matter (月卡的价钱我能接受，
    就是想知道几点开门) leaves it accepted."""
    words = language.words
    for clause in clauses:
        if "mild" in clause.moods and "question" not in clause.moods and not clause.asked:
            clause.moods.add("accepted")  # 学费还可以: lukewarm, not asked; that clause alone (效果一般，还收那么贵)
        if not _accepts(clause):
            continue
        own = [other for other in clauses if other.sentence == clause.sentence]
        asking = [other for other in own if _asks(language, other)]
        if clause in asking or any(_amount_asked(other.folded, words["amount_questions"]) for other in own):
            continue
        at = own.index(clause)
        reach = own[: at + 1]
        for before, later in zip(own[at:], own[at + 1 :], strict=False):
            if _contrast_after(before, words["contrasts"]):
                break
            reach.append(later)
        for other in reach:
            if other not in asking:
                other.moods.add("accepted")


def _read_informed(language: Language, clauses: list[ClauseInfo]) -> None:
    """A clause that tells what the customer found out already (光子的价钱我之前打听过了, 学费我了解过了) and asks
    nothing is `informed`: 上次问过的那个优惠还有吗 still asks."""
    for clause in clauses:
        if any(marker.kind == "informed" for marker in clause.markers) and not _asks(language, clause):
            clause.moods.add("informed")


def _read_during(clauses: list[ClauseInfo]) -> None:
    """A clause that tells what was felt while the treatment was done (打水光的时候有点疼) is `during`, and so is the
    next clause of its sentence when the clause says nothing else (做的时候，脸上有点烫). Not a time after the
    treatment (打完针的时候就肿了, 做完以后的过程中)."""
    for clause, after in zip(clauses, [*clauses[1:], None], strict=True):
        said = [clause.folded[m.start : m.end] for m in clause.markers if m.kind == "during"]
        if not any("完" not in word and "后" not in word for word in said):
            continue
        clause.moods.add("during")
        if after is not None and after.sentence == clause.sentence \
                and clause.folded.rstrip(_CLOSING_PARTICLES).endswith(("的时候", "过程中", "术中")):
            after.moods.add("during")


def _read_confirming(language: Language, clauses: list[ClauseInfo]) -> None:
    """A sentence that checks an arrangement (确认一下，周六上午十点的面诊对吧; 我那个号确认了) and asks nothing
    else, a closing tag question allowed (`tag_questions`), nor wishes in another clause, is `confirming`:
    确认一下周六还有位置吗 and 帮我约周三的体验课，确认了发个消息给我 still book."""
    tags = language.words["tag_questions"]
    checked = {clause.sentence for clause in clauses if any(m.kind == "confirming" for m in clause.markers)}
    for sentence in checked:
        own = [clause for clause in clauses if clause.sentence == sentence]
        if any((_asks(language, clause) and not clause.folded.rstrip("啊呀哈哦喔嘛嘞~～ ").endswith(tags))
               or ("request" in language.intent_moods(clause) and all(m.kind != "confirming" for m in clause.markers))
               for clause in own):
            continue
        for clause in own:
            clause.moods.add("confirming")


def _accepts(clause: ClauseInfo) -> bool:
    """A word of `acceptance`, not negated (不能接受, 不值)."""
    return any(marker.kind == "acceptance" and clause.folded[marker.start - 1 : marker.start] not in ("不", "没")
               for marker in clause.markers)


def _contrast_after(clause: ClauseInfo, contrasts: tuple[str, ...]) -> bool:
    """The next clause opens with a contrast (…，就是价格有点高): the segmenter leaves the word between them."""
    return clause.follows.lstrip(_HELD_BACK_GAP).startswith(contrasts)


def _asks(language: Language, clause: ClauseInfo) -> bool:
    return "question" in clause.moods or clause.asked or "asking" in language.intent_moods(clause)


def _read_company(clauses: list[ClauseInfo]) -> None:
    """Company told in one clause (…，他就陪着) is the whole sentence's: 我和我老公一起来，我打水光，他就陪着."""
    kept = {clause.sentence for clause in clauses if "accompanying" in clause.moods}
    for clause in clauses:
        if clause.sentence in kept:
            clause.moods.add("accompanying")


def _read_attending(clauses: list[ClauseInfo], visits: frozenset[str], attendance: frozenset[str],
                    escorts: tuple[str, ...] = ()) -> None:
    """A clause whose visit keeps what stands is `attending`: a routine (这周照常过来上), the visit's
    purpose right after it (陪孩子过去考试), a time pointing back to an arrangement an earlier clause
    tells as made (我已经约了周五的，到时候直接过去就行吧), or someone taken there (`escorts`: 放学后我直接送过去)."""
    made = False
    for clause in clauses:
        kinds = {marker.kind for marker in clause.markers}
        tokens = clause.tokens
        at = [i for i, token in enumerate(tokens) if token in visits]
        if "routine" in kinds and not at and "question" not in clause.moods and not clause.asked:
            clause.moods.add("attending")  # 周五那个约还是按原计划: what stands is kept, nothing new booked
        elif at and ("routine" in kinds or ("anaphoric_times" in kinds and made)
                   or any(tokens[i + 1 : i + 2] and tokens[i + 1] in attendance for i in at)
                   or any(_escorted(tokens, i, escorts) for i in at)):
            clause.moods.add("attending")
        made = made or "done" in kinds


# How far before a visit an escort may stand (送/孩子/过去, 送/她/直接/过去).
_ESCORT_REACH = 3


def _escorted(tokens: list[str], at: int, escorts: tuple[str, ...]) -> bool:
    """The visit at `at` takes someone there (送过去, 送孩子过去), not the customer (送我过去: they come)."""
    if not escorts:
        return False
    if tokens[at].startswith(escorts) and tokens[at] not in escorts:
        return True  # 送过去, 送过来: one token
    for i in range(max(0, at - _ESCORT_REACH), at):
        if tokens[i] in escorts:
            return tokens[i + 1] not in ("我", "我们")
    return False


def _read_remedy(clauses: list[ClauseInfo]) -> None:
    """A sentence that asks whether a service treats a condition, or wishes to come for it (`visit_wishes`:
    想约个针灸，坐骨神经痛), is `remedy`, but for a clause that tells a treatment done (打完水光起了红点，能解决吗
    reports); a clause that tells a condition held before (`chronic`: 我腰本来就疼) is `chronic`, unless it tells
    a treatment done (本来腰就不好，按完更疼了 keeps its report in the clause that does)."""
    for clause in clauses:
        kinds = {m.kind for m in clause.markers}
        if "chronic" in kinds and not kinds & _TREATED:
            clause.moods.add("chronic")
    asked = {clause.sentence for clause in clauses
             if clause.markers and any(m.kind == "visit_wishes" for m in clause.markers)}
    asked |= {clause.sentence for clause in clauses
              if clause.markers and any(m.kind == "remedy" for m in clause.markers) and (
        "question" in clause.moods or clause.asked or clause.folded.rstrip("啊呀哈").endswith(("吗", "么", "嘛"))
        or any(m.kind == "remedy" and ("不" in clause.folded[m.start : m.end] or "没" in clause.folded[m.start : m.end])
               for m in clause.markers))}
    for clause in clauses:
        if clause.sentence in asked and all(m.kind not in _TREATED for m in clause.markers):
            clause.moods.add("remedy")


def _read_from_work(clauses: list[ClauseInfo], workplaces: tuple[str, ...], own_speakers: tuple[str, ...]) -> None:
    """A clause that speaks of a leave (假) in a sentence that names the customer's job (`workplaces`: 跟公司请了半天假,
    我下周请假回老家，公司批了) is `from_work`: the leave is from work, none from a class or a visit; not a clause that
    names the customer's child (`own_speakers`: 孩子周六请假，我跟公司也说了) or a lesson (课)."""
    if not any("假" in clause.folded for clause in clauses):
        return
    working = {clause.sentence for clause in clauses if any(word in clause.folded for word in workplaces)}
    for clause in clauses:
        if clause.sentence in working and "假" in clause.folded and "课" not in clause.folded \
                and not any(word in clause.folded for word in own_speakers):
            clause.moods.add("from_work")


# A clause that tells a treatment done, or what was felt while it was (打水光的时候有点疼).
_TREATED = frozenset(("treated", "during"))


def _read_payment(clauses: list[ClauseInfo], amount_questions: tuple[str, ...]) -> None:
    """A clause that handles a payment (定金刚转你了, 报名费能开发票吗) is `payment`, unless its sentence
    asks an amount (上次付了两千定金，这次还要补多少; 转账的话多少钱): then a price is asked after all."""
    for clause in clauses:
        if clause.markers and any(m.kind == "payment" for m in clause.markers) and not any(
                other.sentence == clause.sentence and _amount_asked(other.folded, amount_questions)
                for other in clauses):
            clause.moods.add("payment")


def _amount_asked(text: str, amount_questions: tuple[str, ...]) -> bool:
    """A word of `amount_questions` in `text`; `#` in one is a number (分三期)."""
    return any(word in text if "#" not in word else re.search(
        _NUMBER.join(map(re.escape, word.split("#"))), text) is not None for word in amount_questions)


# Right after a `done` marker, a state that stopped (已经不玩了, 已经没在用了): no matter was done.
_STOPPED = ("不", "没")


def _read_settled(clauses: list[ClauseInfo]) -> None:
    """不用/不必 after something done in the same sentence (已经约好了，不用再打电话了): settled.
    Not after a state that stopped: 「已经不玩包了，上新不用通知我」 gives a reason to opt out."""
    done_in: int | None = None  # the sentence of the last `done` marker seen
    for clause in clauses:
        for marker in clause.markers:
            if marker.kind == "done" and not clause.folded.startswith(_STOPPED, marker.end):
                done_in = clause.sentence
            elif marker.kind == "no_need" and done_in == clause.sentence:
                clause.moods.add("settled")


def _closes(text: str, end: int) -> bool:
    """Nothing but particles after `end`: the word closes its clause (效果一般吧)."""
    return all(char in _CLOSING_PARTICLES for char in text[end:])


def _own_question(clause: ClauseInfo, question_words: frozenset[str]) -> bool:
    """The customer's own question: 吗/A-not-A, or a question word (多少钱, 怎么收费)."""
    return "question" in clause.moods or any(
        token in question_words or (len(word) > 1 and token.startswith(word))
        for token in clause.tokens for word in question_words)


def _is_question(tokens: list[str], particles: frozenset[str], report_questions: frozenset[str],
                 question_words: frozenset[str], asked: bool) -> bool:
    last = len(tokens) - 1
    while last >= 0 and tokens[last] in "啊呀啦哈哦喔嘞":
        last -= 1
    if last < 0:
        return False
    if tokens[last] == "呢" and not asked and _states_with_ne(tokens, last):
        pass  # 还肿着呢, 还没好呢: 呢 after a lasting state states it; an A-not-A below may still ask
    elif tokens[last] in particles and last > 0 and _reported(tokens, last, report_questions):
        # A bare 不/没 closing the clause asks (可以退不, 有名额没); after another negator it denies.
        return tokens[last] in "吗么嘛呢" or tokens[last - 1] not in ("不", "没", "没有", "了")
    if len(tokens[last]) > 1 and tokens[last].endswith(_GLUED_ASKING):
        return True  # 名片/印/好了吗, 衣服/改/好了没: the segmenter glued the particle to the word it asks of
    text = "".join(tokens)
    # Both A-not-A forms hold a 不 or 没: most clauses are spared the walks over their tokens.
    if ("不" in text or "没" in text) and (any(map(a_not_a, tokens)) or _split_a_not_a(tokens)):
        return True
    return asked and question_words.isdisjoint(tokens)


def _states_with_ne(tokens: list[str], last: int) -> bool:
    """呢 closing a clause that asks nothing: after durative 着 (还肿着呢, 正上着课呢) or in a
    还…呢 / 还没…呢 clause without a question word or 能/可以 (还疼呢, 还没消呢) it states."""
    before = tokens[last - 1] if last > 0 else ""
    if before.endswith("着"):
        return True
    return any(token.startswith("还") for token in tokens[:last]) and not any(
        token in _NE_ASKS or token.startswith(("能", "可以", "有没")) for token in tokens[:last])


# A closing token that the segmenter made of a word and the particle that asks of it (好了吗, 好了没).
_GLUED_ASKING = ("吗", "了没", "了没有")


# With these a 还…呢 clause asks after all (还有别的呢, 还要多久呢): handled as before.
_NE_ASKS = frozenset("有 要 能 会 多少 几 什么 怎么 哪 哪里 谁 多久 啥 为什么 为啥 咋 如何".split())


def _reported(tokens: list[str], last: int, report_questions: frozenset[str]) -> bool:
    """The particle asks about the clause itself, not about a report (正常吗, 是正常的吗)."""
    before = last - 1
    if before > 0 and tokens[before] == "的":
        before -= 1
    return before >= 0 and tokens[before] not in report_questions


def _split_a_not_a(tokens: list[str]) -> bool:
    """贵/不/贵, 疼/不/疼, 营业/没/营业, 能来/不/能来: the same question cut into three tokens; or two,
    the negator glued to the second half (来/不来上课, 能来/不能来, 能/来/不能/来)."""
    return any(
        (tokens[i] in ("不", "没") and i + 1 < len(tokens) and (
            tokens[i - 1][-1:] == tokens[i + 1][:1] or _asks_back(tokens[i - 1], tokens[i + 1])))
        or (len(tokens[i]) > 1 and tokens[i][0] in "不没" and (
            _asks_back(tokens[i - 1], tokens[i][1:]) or (1 < i < len(tokens) - 1 and tokens[i - 2] == tokens[i][1:]
                                                          and tokens[i + 1] == tokens[i - 1])))
        for i in range(1, len(tokens))
    )


def _asks_back(before: str, rest: str) -> bool:
    """`rest` (after 不/没) repeats the token before it: its last character when that is one
    character (来/不来上课), the whole token when longer (能来/不能来; not 好的/不好意思)."""
    return rest.startswith(before) if len(before) > 1 else rest[:1] == before


def _not_is_question(tokens: list[str]) -> bool:
    """这不是骗人吗: 不是 … 吗 asks for agreement; it asserts, it does not deny."""
    return "不是" in tokens and tokens[-1:] == ["吗"]


