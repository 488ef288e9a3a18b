"""Negation in a clause of tokens: which keyword hits a negator denies.

A negator shortly before a keyword, in the same clause, denies it (暂时不需要预约, 没有红肿); so does
one closing the clause after it (红肿没有了). Two negators in a row cancel out (不是不想约), an
A-not-A question is no negation (贵不贵, 能不能, 可以退不), a negator reaches no further than its 的
phrase (没做的那次能退吗; 有没有不疼的项目 asks the 项目), and a keyword inherits the negation of an earlier
one only across a coordinator (没有红肿和疼痛)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

NEGATION_WINDOW = 5  # a negator further back than this many tokens no longer reaches the keyword
NEGATORS = frozenset(
    "不 没 没有 别 无 未 甭 勿 莫 无需 无须 不用 不是 不要 不想 不需要 不必 不再 不会 不能 不太 不怎么"
    " 并不 并没有 从不 从没 从来不 从来没 从来没有 毫无 绝不 不打算 不准备 没必要 不至于 还没 还没有"
    " 没什么 没啥 没有什么 不算 没怎么".split()
)
# jieba glues some adverbs to the negator after them (倒也不, 千万别, 仍未, 好久没): such a token
# negates as its negator would. Only adverbs: 何不 (why not), 可不 (indeed) and 无不 (all) do not deny.
GLUED_NEGATORS = ("没有", "不", "没", "别", "未")
GLUED_ADVERBS = frozenset("也 倒也 可也 倒 仍 再 先 千万 切 永 绝 决 毫 从来 好久 还 都 就 又 并 尚 亦 更".split())
# Said after the keyword, at the end of the clause: 红肿没有了, 预约就不用了, 退款算了.
TRAILING_NEGATORS = frozenset("不 没 没有 不用 不需要 不要 不必 算了 免了 没了 不了".split())
TRAILING_PARTICLES = frozenset("了 啦 吧 啊 呀 哈 呢 哦 喔 的 嘛 吗".split())
# 有 before a negated 的 phrase (有没有不辣的, 有不用早起的班吗) asks for a thing so described: the keyword after
# the 的 is asked, not denied.
EXISTENTIALS = frozenset("有 有没有 还有 有没 有无".split())
COORDINATORS = frozenset("和 或 或者 跟 与 及 以及 、 也 还 还有 又 加上".split())


class Span(Protocol):
    """Where a keyword hit lies in its clause's tokens: [start, end)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def is_negator(tokens: list[str], i: int, begin: int) -> bool:
    token = tokens[i]
    if token not in NEGATORS and not glued_negator(token):
        return False
    if i <= begin:
        return True
    # An A-not-A question asks, it does not deny: 贵/不/贵, 可/不/可以, 能/不能, 要/不要.
    before = tokens[i - 1]
    if before[-1] == token[1:2]:
        return False
    return not (i + 1 < len(tokens) and before[:1] == tokens[i + 1][:1])


def glued_negator(token: str) -> bool:
    """An adverb and its negator cut as one word: 倒也不 (疼), 千万别 (发), 好久没 (来)."""
    # The one endswith with the tuple spares most tokens the loop (it runs for every token before a keyword).
    return len(token) > 1 and token.endswith(GLUED_NEGATORS) and any(
        token.endswith(negator) and token[: -len(negator)] in GLUED_ADVERBS for negator in GLUED_NEGATORS)


def a_not_a(token: str) -> bool:
    """能不能, 疼不疼, 可不可以, 有没有: one token asking both ways, no negator."""
    return len(token) >= 3 and token[1] in "不没" and token[0] == token[2]


def asks_a_not_a(tokens: list[str], start: int) -> bool:
    """A keyword starting with its negator but asked as A-not-A: 要/不要再发, 能/不能来."""
    token = tokens[start]
    return start > 0 and token[:1] in "不没" and tokens[start - 1][-1:] == token[1:2]


def negations(hits: Sequence[Span], tokens: list[str]) -> list[bool]:
    """Whether each hit (sorted by start) of one clause is negated."""
    result: list[bool] = []
    previous: Span | None = None
    for hit in hits:
        begin = 0
        # An earlier keyword closes the negation scope (不疼就是有点痒 keeps 痒), unless only a
        # coordinator joins them (没有红肿和疼痛 negates both).
        if previous is not None and previous.end <= hit.start:
            if all(token in COORDINATORS for token in tokens[previous.end : hit.start]):
                result.append(result[-1])
                previous = hit
                continue
            begin = previous.end
        begin = max(begin, hit.start - NEGATION_WINDOW)
        result.append(negated_before(tokens, hit.start, begin) or negated_after(tokens, hit.end)
                      or tokens[hit.end : hit.end + 1] == [UNABLE])
        previous = hit
    return result


# Tokens that close a negated phrase before a keyword (see `negated_before`).
PHRASE_CLOSERS = frozenset(("了", "的话", "就"))
MODALS = ("能", "可以")


def negated_before(tokens: list[str], start: int, begin: int) -> bool:
    # A 的 with a noun between it and the keyword closes the negator's phrase: 没做的那次能退吗 denies
    # 做, not 退 (没有明显的红肿, 的 right before the keyword, still denies it).
    for i in range(start - 2, begin - 1, -1):
        if tokens[i] == "的":
            begin = i + 1
            break
    # A 了 closes the negated verb's phrase: 不想拍了能退吗 denies 拍, not 退; so does a condition's close or its
    # consequence: 没货的话帮我订一个, 不来就帮我改期 deny 货 and 来.
    for i in range(start - 1, begin - 1, -1):
        if tokens[i] in PHRASE_CLOSERS:
            begin = i + 1
            break
    # A keyword that opens with a modal right after a negated word of its own (two characters or more, no adverb
    # such as 太) is a new verb phrase: 没拆封能退吗 denies 拆封, while 不太能退 denies 能退.
    if (tokens[start].startswith(MODALS) and start - begin >= 2 and len(tokens[start - 1]) >= 2
            and not is_negator(tokens, start - 1, begin)):
        begin = start
    for i in range(start - 1, begin - 1, -1):
        if is_negator(tokens, i, begin):
            if i > 0 and tokens[i - 1] in EXISTENTIALS and "的" in tokens[i + 1 : start]:
                return False  # 有没有不用动脑子的本, 有不疼的项目吗: the negator stays inside what the thing is like
            if denies_a_duration(tokens[i + 1 : min(i + 3, start)]):
                return False  # 修好没两天又漏了, 没用几次就坏了: 没 says how short a time, no keyword is denied
            # 不是不想 / 没有不: a second negator right before the first cancels it; two negators
            # with a word between them each deny their own word (没红没肿).
            return not (i - 1 >= begin and is_negator(tokens, i - 1, begin))
    return False


# A length of time or a count of times (两天, 几个月, 三次, 多久): after a negator, itself or after one verb
# (没两天, 没用几次, 没戴多久), it says how soon, and the keyword after it is said, not denied.
_DURATION = re.compile("(?:[0-9]+|[一二两三四五六七八九十几半好]+)个?(?:天|日|周|星期|礼拜|月|年|小时|钟头|分钟|次|回)"
                       "|多久|多长时间|一会儿?")


def denies_a_duration(after: Sequence[str]) -> bool:
    """The tokens right after a negator are a length of time or a count of times, or a verb and one
    (没/两天, 没/用/几次): what is denied is that time, not what follows it."""
    return any(_DURATION.fullmatch(token) is not None for token in after[:2]) and (
        _DURATION.fullmatch(after[0]) is not None or len(after[0]) == 1)


# 不了 says a verb cannot be done, the verb right before it: 约不了 cannot book, while in 价格我接受不了
# it is 接受 that cannot be done, and the price is still what the customer speaks of. After an adverb
# or a time it declines whatever came before (预约先不了, 退款暂时不了): it denies the keyword.
UNABLE = "不了"
_DECLINING = frozenset("先 就 也 都 还 还是 暂时 暂且 目前 现在 这次 今天 最近 这周 这个月 今年 可能 恐怕 应该".split())


def negated_after(tokens: list[str], start: int) -> bool:
    """A negator closing the clause after the keyword, only particles after it (红肿没有了).

    A bare 不 or 没 closing the clause asks (可以退不, 有名额没): that is a question, not a no; a 不了
    after another word than the keyword denies that word (价格我接受不了).
    """
    last = len(tokens) - 1
    particles = 0
    while last >= start and tokens[last] in TRAILING_PARTICLES:
        last -= 1
        particles += 1
    if last >= start and tokens[last] in ("不", "没") and not particles:
        return False
    if last > start and tokens[last] == UNABLE and tokens[last - 1] not in _DECLINING:
        return False
    return last >= start and last - start <= 2 and tokens[last] in TRAILING_NEGATORS


# 不痒了, 没再肿了, 已经不疼了: the symptom said again, denied, and closed by 了 (a change of state).
PASSED_NEGATORS = ("不", "没", "没有", "不再", "没再")


def passed_later(said: str, later: str) -> bool:
    """A later clause of the sentence says `said` is over (有点痒 现在已经不痒了): the earlier hit passed."""
    for degree in _DEGREES:  # 有点疼 … 不疼了: the degree is not said again
        if said.startswith(degree) and len(said) > len(degree):
            said = said[len(degree) :]
            break
    if said in later and any(negator + said + "了" in later for negator in PASSED_NEGATORS):
        return True
    cores = word_cores(said)
    return bool(cores) and any(match.group(1) in cores for match in CORE_DENIED.finditer(later))


def word_cores(word: str) -> tuple[str, ...]:
    """The characters a two-character sign or fault is said again by when it is over (渗水 … 不渗了, 红肿 … 不肿了,
    异味 … 没味了): not one of the characters said of everything (`_NOT_CORES`: 了, 有, 发, 起, 开…)."""
    if len(word) != 2 or not all("\u4e00" <= char <= "\u9fff" for char in word):
        return ()
    return tuple(char for char in word if char not in _NOT_CORES)


_NOT_CORES = frozenset("不没别了的是有好会要能过来去做打说看上下大小多少一发起开出水还再都也就太很")


def core_denial(chars: str = "\u4e00-\u9fff") -> str:
    """A negator, one of `chars` (a regex class's inside) and a closing 了 (不渗了, 没再漏了, 基本没味了。): 了 ends
    the clause or a particle follows it."""
    negators = "|".join(sorted(PASSED_NEGATORS, key=len, reverse=True))
    return f"(?:{negators})([{chars}])了(?=$|[，。！？,.!?~～\\s吧啊呀哈啦哦嘛])"


CORE_DENIED = re.compile(core_denial())


_DEGREES = ("有点", "有些", "有一点", "一点", "稍微", "特别", "非常", "很", "好", "挺", "还", "超")
