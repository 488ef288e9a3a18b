"""学习模型复核 as the rules page shows it: for each rule's tag, whether the learned check reads it, as
which of the model's tags, and both ways or only adding (docs/tagging.md, "Learned check")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.tagging.rules import OPT_OUT_TAG, RuleSet


@dataclass(frozen=True)
class ModelChecks:
    """The check of one rules file: its thresholds and model file, and (tag, how) for each tag."""

    veto_below: float
    add_above: float
    path: str
    rows: tuple[tuple[str, str], ...]


def model_checks(rules: RuleSet) -> ModelChecks | None:
    """None when the file has no learned check (`[model] enabled = false`, or no model to read)."""
    check = rules.model
    if check is None:
        return None
    rows: dict[tuple[str, str], None] = {}  # a tag of several rules is listed once per way it is read
    for rule in rules.keyword_rules:
        adds_only = rule.tag == OPT_OUT_TAG or rule.model_adds_only
        rows[(rule.tag, _how(rule.tag, rule.model, rule.negatable, adds_only, check.add_above < 1,
                             check.model.index))] = None
    return ModelChecks(check.veto_below, check.add_above, check.path, tuple(rows))


def _how(tag: str, model: str | bool, negatable: bool, adds_only: bool, adds: bool,
         index: Callable[[str], int | None]) -> str:
    if model is False:
        return "不复核：话题标签，提到就算" if not negatable else "不复核：规则写了 model = false"
    wanted = tag if model is True else model
    if index(wanted) is None:
        return "不复核：模型不认识这个标签，只按规则"
    by = "按本标签" if wanted == tag else f"按模型的「{wanted}」"
    if adds_only:
        return f"{by}复核：只补打，不撤销" if adds else "不复核：只补打的标签，而补打已关闭（add_above = 1）"
    return f"{by}复核：可撤销、可补打" if adds else f"{by}复核：只撤销（补打已关闭）"
