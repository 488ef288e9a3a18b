"""What the labels say to change in the rules, tag by tag: for the messages a tag is missed on (漏打), the words
they share that no rule lists (candidates for its keywords); for the messages it is wrongly given (多打), the
keywords that gave it, each with how often it gives the tag wrongly and rightly among the labelled messages
(the one to narrow or exclude)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.labels.scores import Tagged
from bot.tagging.candidates import Reader, candidate_words, shared_words
from bot.tagging.rules import RuleSet

WORDS = 5  # words shown per tag, of each kind
EXAMPLES = 2  # messages shown per word
MODEL = ""  # the word of a tag the learned check added: no keyword of the tag's rules fired


@dataclass(frozen=True)
class NewWord:
    """A word the messages that miss the tag share and no rule lists."""

    word: str
    missed: int  # labelled messages that miss the tag and say it
    elsewhere: int  # labelled messages that should not get the tag and say it (a keyword would wrong them)
    examples: tuple[str, ...]


@dataclass(frozen=True)
class FiredWord:
    """A keyword that gave the tag where the label says it should not (MODEL: the learned check added it)."""

    word: str
    wrong: int  # labelled messages it gave the tag wrongly
    right: int  # and rightly
    examples: tuple[str, ...]  # wrongly tagged messages


@dataclass(frozen=True)
class TagAdvice:
    tag: str
    missed: int  # labelled messages that should get the tag and do not
    wrong: int  # that get it and should not
    new_words: tuple[NewWord, ...]  # most messages first
    fired_words: tuple[FiredWord, ...]  # most wrong first


def advise(tagged: Sequence[Tagged], reader: Reader, listed: frozenset[str],
           own: dict[str, frozenset[str]]) -> tuple[TagAdvice, ...]:
    """Every tag the tagger misses or wrongly gives on the labelled messages, the most disagreements first.
    `listed`: every rule's words (not suggested again); `own`: each tag's rules' keywords (`rule_keywords`)."""
    missed: defaultdict[str, list[str]] = defaultdict(list)  # tag: the texts that miss it
    wrongly: defaultdict[str, list[str]] = defaultdict(list)  # tag: the texts wrongly given it
    wrong: defaultdict[str, Counter[str]] = defaultdict(Counter)  # tag: keyword: texts it gave the tag wrongly
    right: defaultdict[str, Counter[str]] = defaultdict(Counter)
    wrong_texts: defaultdict[tuple[str, str], list[str]] = defaultdict(list)  # (tag, keyword): the first texts
    for one in tagged:
        label = set(one.said.tags or ())
        for tag in label - set(one.given):
            missed[tag].append(one.said.text)
        for tag, words in _fired(one, own).items():
            (right if tag in label else wrong)[tag].update(words)
            if tag not in label:
                wrongly[tag].append(one.said.text)
                for word in words:
                    if len(wrong_texts[tag, word]) < EXAMPLES:
                        wrong_texts[tag, word].append(one.said.text)
    words_of: dict[int, set[str]] = {}

    def without(tag: str, word: str) -> int:
        """Labelled messages that should not get `tag` and say `word`."""
        count = 0
        for one in tagged:
            if tag not in (one.said.tags or ()):
                if one.said.message_id not in words_of:
                    words_of[one.said.message_id] = candidate_words(reader, one.said.text, listed)
                count += word in words_of[one.said.message_id]
        return count

    advice = []
    for tag in missed.keys() | wrongly.keys():
        new_words = tuple(NewWord(c.word, c.messages, without(tag, c.word), c.examples)
                          for c in shared_words(missed[tag], reader, listed, WORDS, EXAMPLES))
        ranked = sorted(wrong[tag], key=lambda word: (-wrong[tag][word], right[tag][word], word))[:WORDS]
        fired_words = tuple(FiredWord(word, wrong[tag][word], right[tag][word], tuple(wrong_texts[tag, word]))
                            for word in ranked)
        advice.append(TagAdvice(tag, len(missed[tag]), len(wrongly[tag]), new_words, fired_words))
    return tuple(sorted(advice, key=lambda a: (-(a.missed + a.wrong), a.tag)))


def rule_keywords(rules: RuleSet) -> dict[str, frozenset[str]]:
    """Each tag's rules' keywords as `TagMatch.matched` names them, and the words their concept groups brought."""
    own: dict[str, set[str]] = {}
    for rule in rules.keyword_rules:
        own.setdefault(rule.tag, set()).update(rule.keywords, (word for word, _ in rule.via))
    return {tag: frozenset(words) for tag, words in own.items()}


def _fired(one: Tagged, own: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    """Each tag given to the message, with the keywords of its rules that fired (MODEL where none did: the
    learned check's evidence is not a keyword to edit)."""
    fired: dict[str, set[str]] = {}
    for match in one.matches:
        words = {word for word in match.matched if word.split("（≈")[0] in own.get(match.tag, frozenset())}
        fired.setdefault(match.tag, set()).update(words)
    return {tag: words or {MODEL} for tag, words in fired.items()}
