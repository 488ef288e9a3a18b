"""A condition on the business's own state supposes nothing of the customer's.

「如果下个月不出差我就过去看看」 hangs the visit on the customer's life: a hypothetical, no booking.
「周日还有位置的话我就过去」, 「王医生周三在吗？在的话我下午过去」 and 「人多不多？不多的话我过去」 hang it
on whether the business can take them: the customer wants to come and asks for a slot, which is
what a booking enquiry is. Such a clause is `available`, not `hypothetical`.

The condition is the text a supposing marker opens (如果, 要是… up to 就, 我 or the clause's end) or
closes (…的话, from the clause's start or from its opener). It is one of availability when it ends
with a word of `[language] availability` (有位置, 排上, 约得上, 有医生, 人少…), a time allowed after it
(能约上周六的话), not negated (没有位置的话). A word of one character or a bare answer (在, 有, 开,
不多) counts only as the whole condition, or after a person of the business: it echoes the
question just asked (明天在吗？在的话…), where alone it could be anyone's (孩子在的话).

A condition that is nothing but the act asked about, followed by a question (现在报名的话哪天能开始上,
预约的话要提前几天), supposes nothing either: it is the premise of an enquiry about that act, `premise`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.tagging.language import Marker

_CLOSER = "的话"
_CONSEQUENCE = ("就", "我")
_ADVERBS = "还都也再能可以"
_PARTICLES = " ，,的了呢啊呀"
_NEGATORS = ("不", "没", "没有")
# A bare answer (one character, or a denial: 不多) stands for the question just asked.
_SHORT = 2
_NOW = ("现在", "马上", "直接", "今年", "这学期", "下学期", "这个月", "下个月")


def conditions(text: str, markers: Sequence[Marker]) -> list[str]:
    """The conditions the supposing markers of one clause set (its folded text)."""
    supposing = [m for m in markers if m.kind == "hypothetical"]
    found: list[str] = []
    for marker in supposing:
        if text[marker.start : marker.end] == _CLOSER:
            opener = max((m.end for m in supposing if m.end <= marker.start
                          and text[m.start : m.end] != _CLOSER), default=0)
            found.append(text[opener : marker.start])
        elif not any(text[m.start : m.end] == _CLOSER and m.start >= marker.end for m in supposing):
            rest = text[marker.end :]
            cuts = [at for at in (rest.find(word) for word in _CONSEQUENCE) if at > 0]
            found.append(rest[: min(cuts, default=len(rest))])
    return found


def on_availability(condition: str, availability: Sequence[str], people: Sequence[str],
                    only_times: Callable[[str], bool]) -> bool:
    """The condition asks whether the business can take the customer (还有位置, 在, 不多)."""
    condition = condition.strip(_PARTICLES)
    for word in availability:
        at = condition.rfind(word)
        if at < 0:
            continue
        after = condition[at + len(word) :].strip(_PARTICLES)
        if after and not only_times(after):
            continue
        before = condition[:at].rstrip(_ADVERBS)
        if before.endswith(_NEGATORS):
            continue
        if len(word) >= _SHORT and not word.startswith(_NEGATORS):
            return True
        if not before.lstrip("那") or before.endswith(tuple(people)):
            return True
    return False


def is_premise(condition: str, premises: Sequence[str], only_times: Callable[[str], bool]) -> bool:
    """The condition is nothing but the customer's own act, a time allowed before it (现在报名, 周六预约)."""
    condition = condition.strip(_PARTICLES)
    for word in premises:
        if condition.endswith(word):
            before = condition[: -len(word)].rstrip(_ADVERBS)
            if not before or before in _NOW or only_times(before):
                return True
    return False


def supposes_availability(text: str, markers: Sequence[Marker], availability: Sequence[str],
                          people: Sequence[str], only_times: Callable[[str], bool]) -> bool:
    """Every condition of the clause is one of the business's availability."""
    found = conditions(text, markers)
    return bool(found) and all(on_availability(c, availability, people, only_times) for c in found)
