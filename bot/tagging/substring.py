"""The baseline the bench compares with: plain substring matching, as most SCRMs ship it."""

from __future__ import annotations

from bot.tagging.matches import TagMatch, normalise
from bot.tagging.rules import GAP, RuleSet


class SubstringTagger:
    """Baseline: the plain substring matcher most SCRMs ship (no segmentation, no negation)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._rules = [
            (rule, [(keyword, tuple(normalise(keyword).split(GAP))) for keyword in rule.keywords])
            for rule in rules.keyword_rules
        ]

    def tag(self, text: str) -> list[TagMatch]:
        folded = normalise(text)
        matches = []
        for rule, keywords in self._rules:
            matched = tuple(
                keyword
                for keyword, parts in keywords
                if (parts[0] in folded if len(parts) == 1 else _contains_in_order(folded, parts))
            )
            if matched:
                matches.append(TagMatch(rule.tag, rule.group, rule.rule_id, matched, text))
        return matches


def _contains_in_order(text: str, parts: tuple[str, ...]) -> bool:
    pos = 0
    for part in parts:
        found = text.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True
