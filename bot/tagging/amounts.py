"""Token classes: an amount of money and a fee, whatever its figure or its noun.

A customer names a budget or a fee with words no list holds: 三千以内, 一千块能做几次, 两万以内,
教材费另算吗, 报名费要交吗. In a keyword, `#` stands for an amount (`#以内`, `#块`) and a lone
`费` for any fee noun (教材费, 材料费): the tagger reads such a token as its class when no keyword
names it literally (`token_class`), so the ordinary matching finds them. The price group asks for
them only in a clause that asks (`ASKED_CONCEPTS` in concepts.py): 「上次付了八百」 is no question.
"""

from __future__ import annotations

import re

AMOUNT = "#"  # in a keyword: an amount of money (三千, 1000, 一千块, 两块钱)
FEE = "费"  # in a keyword, alone: a fee noun (教材费, 报名费), not 免费 or 浪费

# A figure, then 多 (三千多), then a unit of money. 块 needs a figure of ten or more (一块 is
# "together", 两块 "two pieces"); a bare figure needs hundreds (八百, 3000: 十二 is an age).
# A Chinese figure opens with a digit word: 万一 ("in case") and 千万 ("by all means") are none.
# Digits and Chinese mix as customers type them: 3千, 1万2, 一千2, 两千5.
_AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?(?:[十百千万][0-9零一二两三四五六七八九十百千万]*)?"
                     r"|[一二两三四五六七八九十几][零一二两三四五六七八九十百千万]*[0-9]*)"
                     r"多?(块钱|块|元)?")
# A token that may be part of a figure the segmenter cut apart (3/千多, 1/万/2, 一千/2, 8/百块).
_FIGURE_PART = re.compile(r"[0-9]+(?:\.[0-9]+)?|[零一二两三四五六七八九十百千万几]+多?(?:块钱|块|元)?")
_DIGIT_PART = re.compile(r"[0-9]")
_MAGNITUDE = re.compile(r"[百千万]|[0-9]{3}")
_TENS = re.compile(r"[十百千万]|[0-9]{2}")
# Tokens that end in 费 and name no fee to pay.
NOT_FEES = frozenset({"免费", "浪费", "白费", "消费", "破费", "经费", "耗费", "收费", "花费", "付费", "缴费", "交费"})
# What a piece must hold to be worth segmenting for a bare amount (#): the other class keywords
# have a part of their own (以内, 块, 费) that the tagger looks for anyway.
CLASS_CHARS = re.compile(r"[0-9]{3}|[百千万]")
FIGURE_START = frozenset("0123456789一二两三四五六七八九十几")


def token_class(token: str) -> str | None:
    """`#` plus its unit for an amount (一千块 -> #块, 三千 -> #), `费` for a fee noun, else None."""
    if token[-1] == FEE:
        return FEE if len(token) > 1 and token not in NOT_FEES else None
    if token[0] not in FIGURE_START:
        return None
    found = _AMOUNT.fullmatch(token)
    if found is None:
        return None
    figure, unit = found.group(1), found.group(2) or ""
    if unit in ("块钱", "元") or (unit == "块" and _TENS.search(figure)) or _MAGNITUDE.search(figure):
        return AMOUNT + unit
    return None


def figure_classes(tokens: list[str]) -> dict[int, str]:
    """Classes of figures the segmenter cut apart, digits and Chinese mixed (3/千多 -> #, 8/百块 ->
    #块, 一千/2 -> #): the run's class, at its last token. A token that is a figure alone keeps
    its own reading (`token_class`); only runs of two or more, digits with Chinese, are read here."""
    classes: dict[int, str] = {}
    start = 0
    while start < len(tokens):
        end = start
        while end < len(tokens) and _FIGURE_PART.fullmatch(tokens[end]):
            end += 1
        run = tokens[start:end]
        if len(run) > 1 and run[0][0] in FIGURE_START and any(_DIGIT_PART.match(t) for t in run) \
                and not all(_DIGIT_PART.match(t) for t in run):
            found = token_class("".join(run))
            if found is not None:
                classes[end - 1] = found
        start = max(end, start + 1)
    return classes
