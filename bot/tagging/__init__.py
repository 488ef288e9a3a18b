"""Customer tagging: keyword rules over jieba tokens, behaviour rules over metrics."""

from bot.tagging.keywords import KeywordTagger
from bot.tagging.matches import TagMatch
from bot.tagging.rules import METRIC_NAMES, BehaviourRule, KeywordRule, RulesError, RuleSet, load_rules, parse_rules
from bot.tagging.substring import SubstringTagger

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
