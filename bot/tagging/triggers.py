"""Keyword triggers of playbooks read messages the way the tagger does: words, negation, mood.

A playbook's `trigger.keyword = ["预约", "约"]` fires when a message says one of the words as the
tagger would tag it: 「暂时不需要预约」 is negated, 「大约多少钱」 holds no 约, 「万一要约…」 supposes.
One tagger per distinct word list, built once per process and kept (building one loads jieba's
dictionary: about a second, so never per message).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import KeywordRule, RuleSet
from bot.tagging.words import DEFAULT_NOT_MOOD

logger = logging.getLogger(__name__)

TRIGGER_TAG = "trigger:keyword"
# Words that a keyword must never be found inside, whatever the rules file says (大约 is no 约).
DO_NOT_SPLIT = ("大约", "约会", "节约", "约束", "签约", "合约", "约定", "约莫", "心疼", "头疼", "贵姓",
                "宝贵", "珍贵", "退休", "价值观", "要不要", "能不能", "可不可以", "是不是", "会不会", "有没有")

_lock = threading.Lock()
_taggers: dict[tuple[str, ...], KeywordTagger] = {}


def trigger_tagger(words: Iterable[str]) -> KeywordTagger:
    """The tagger for one trigger's word list (cached per process)."""
    key = tuple(dict.fromkeys(word.strip() for word in words if word.strip()))
    with _lock:
        tagger = _taggers.get(key)
        if tagger is None:
            rule = KeywordRule(tag=TRIGGER_TAG, group="trigger", keywords=key, negatable=True, exclude=(),
                               not_mood=frozenset(DEFAULT_NOT_MOOD))
            version = hashlib.sha256("\n".join(key).encode("utf-8")).hexdigest()[:12]
            rules = RuleSet(keyword_rules=(rule,), behaviour_rules=(), dictionary_words=DO_NOT_SPLIT,
                            exclusive_groups=(), source="playbook keyword trigger", version=version)
            tagger = _taggers[key] = KeywordTagger(rules)
    return tagger


def says(words: Iterable[str], text: str) -> bool:
    """Whether `text` says one of `words`, read as the tagger reads a message."""
    words = list(words)
    return bool(words) and bool(text) and bool(trigger_tagger(words).tag(text))
