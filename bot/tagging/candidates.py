"""Candidates for a rule's keywords: the words that several messages share and no rule lists, ranked by how
many of them say it and by jieba's IDF table (which keeps 你们 and 可以 out). 改动预览 runs it over the messages
the edited rules leave untagged, 标注 over the labelled messages that miss a tag.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import jieba

from bot.tagging.rules import RuleSet

# Below this inverse document frequency (jieba's table) a word is too common to name anything: 你们 4.7,
# 可以 3.5, 时候 4.3, 孩子 5.2; 收到 6.7, 钥匙 7.9, 帐篷 8.1 and 停车场 9.2 are above it.
COMMON_IDF = 6.0
# Chat words the table does not know or rates rare, that never name a wish or a topic.
CHAT = frozenset({"好的", "好滴", "好嘞", "嗯嗯", "哈哈", "哈哈哈", "谢谢", "谢啦", "收到", "您好", "你好", "在吗",
                  "请问", "麻烦", "辛苦", "没事", "知道了", "老师好", "亲亲"})


class Reader(Protocol):
    def tokens(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Candidate:
    """A word that two or more of the messages say and no rule lists."""

    word: str
    messages: int  # how many of them say it
    examples: tuple[str, ...]  # the first of them, in the order given (newest first, as callers pass them)


def listed_words(rules: RuleSet) -> frozenset[str]:
    """Every word a rule lists: its keywords and synonyms (a gapped keyword's parts), and the words its
    concept group brought."""
    return frozenset(part for rule in rules.keyword_rules for keyword in (*rule.keywords, *(w for w, _ in rule.via))
                     for part in keyword.split("*") if part)


def candidate_words(reader: Reader, text: str, listed: frozenset[str]) -> set[str]:
    """The words of `text` that could name a wish or a topic: the tagger's own tokens, two Chinese characters
    or more, not `listed`, neither too common (`COMMON_IDF`) nor chat."""
    idf = _idf()
    return {word for word in reader.tokens(text)
            if len(word) >= 2 and word not in listed and word not in CHAT and idf.get(word, COMMON_IDF) >= COMMON_IDF
            and all("\u4e00" <= char <= "\u9fff" for char in word)}


def shared_words(texts: Iterable[str], reader: Reader, listed: frozenset[str], limit: int,
                 examples: int = 1) -> tuple[Candidate, ...]:
    """The `candidate_words` that two or more `texts` say: most texts first, the rarer word (higher IDF) first
    among equals; each with its first `examples` texts."""
    idf = _idf()
    said_in: Counter[str] = Counter()
    first: dict[str, list[str]] = {}
    for text in texts:
        for word in candidate_words(reader, text, listed):
            said_in[word] += 1
            shown = first.setdefault(word, [])
            if len(shown) < examples:
                shown.append(text)
    ranked = sorted((word for word, count in said_in.items() if count >= 2),
                    key=lambda word: (-said_in[word], -idf.get(word, COMMON_IDF), word))
    return tuple(Candidate(word, said_in[word], tuple(first[word])) for word in ranked[:limit])


@cache
def _idf() -> dict[str, float]:
    """jieba's inverse document frequencies (jieba/analyse/idf.txt, read once: 0.2 s)."""
    table: dict[str, float] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "analyse", "idf.txt"), encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.rstrip("\n").partition(" ")
            table[word] = float(value)
    return table
