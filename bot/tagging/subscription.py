"""The opt-out (or opt-in) a message asks for, read in memory by the tag rules' own 状态 rules.

The webhook answers it in the HTTP response before the push is stored as a message or tagged, so
the decision may not touch the database: a tagger holding only the 状态:退订 and 状态:订阅 rules
reads the text exactly as the full tagger does (negation, excludes, the latest wish of an
exclusive group), and a text without any of their words is refused by one regular expression.
"""

from __future__ import annotations

import dataclasses
import threading

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import OPT_OUT_TAG, RuleSet

OPT_IN_TAG = "状态:订阅"
SUBSCRIPTION_TAGS = (OPT_OUT_TAG, OPT_IN_TAG)
__all__ = ["OPT_IN_TAG", "OPT_OUT_TAG", "SUBSCRIPTION_TAGS", "subscription_tagger", "subscription_wish"]

_lock = threading.Lock()
_taggers: dict[str, KeywordTagger] = {}


def subscription_tagger(rules: RuleSet) -> KeywordTagger:
    """A tagger for the 状态 rules of `rules` only (one per rules version and process)."""
    with _lock:
        tagger = _taggers.get(rules.version)
        if tagger is None:
            subset = dataclasses.replace(
                rules, keyword_rules=tuple(r for r in rules.keyword_rules if r.tag in SUBSCRIPTION_TAGS),
                behaviour_rules=(), version=f"{rules.version}:subscription")
            tagger = _taggers[rules.version] = KeywordTagger(subset)
        return tagger


def subscription_wish(rules: RuleSet, text: str) -> str | None:
    """`OPT_OUT_TAG`, `OPT_IN_TAG` or None: what tagging `text` will do to the customer's 状态."""
    if not text:
        return None
    tags = {match.tag for match in subscription_tagger(rules).tag(text)}
    if OPT_OUT_TAG in tags:
        return OPT_OUT_TAG
    return OPT_IN_TAG if OPT_IN_TAG in tags else None
