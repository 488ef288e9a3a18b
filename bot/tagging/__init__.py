"""Customer tagging: keyword rules over jieba tokens, behaviour rules over metrics."""

from bot.tagging.keywords import KeywordTagger, SubstringTagger, TagMatch
from bot.tagging.rules import METRIC_NAMES, BehaviourRule, KeywordRule, RulesError, RuleSet, load_rules, parse_rules

__all__ = [
    "METRIC_NAMES",
    "BehaviourRule",
    "KeywordRule",
    "KeywordTagger",
    "RuleSet",
    "RulesError",
    "SubstringTagger",
    "TagMatch",
    "load_rules",
    "parse_rules",
]
