"""How right a tagger is on the labelled messages: micro precision, recall and F1 over (message, tag)
pairs, the same per tag with its counts, and each message it gets wrong (tags it should not give, tags it
misses); and what an edit of the rules fixes and breaks among them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.labels.store import Said
from bot.tagging.matches import TagMatch


class Tagger(Protocol):
    def tag(self, text: str) -> list[TagMatch]: ...


class NoTags:
    """The tagger when tagging does not run: it gives nothing."""

    def tag(self, text: str) -> list[TagMatch]:
        return []


NO_TAGS = NoTags()


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Counts:
    """Pairs counted: `right` the tagger gave and the label has, `given` by the tagger, `labelled` by the label.
    A figure with nothing to divide by is None (no tag given: no precision)."""

    right: int
    given: int
    labelled: int

    @property
    def precision(self) -> float | None:
        return _ratio(self.right, self.given)

    @property
    def recall(self) -> float | None:
        return _ratio(self.right, self.labelled)

    @property
    def f1(self) -> float | None:
        return _f1(self.precision, self.recall)

    def figures(self) -> dict[str, float | int | None]:
        return {"right": self.right, "given": self.given, "labelled": self.labelled,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class TagScore:
    tag: str
    counts: Counts


@dataclass(frozen=True)
class Disagreement:
    """A labelled message the tagger gets wrong."""

    said: Said
    given: tuple[str, ...]
    wrong: tuple[str, ...]  # given, not in the label
    missed: tuple[str, ...]  # in the label, not given


@dataclass(frozen=True)
class Scores:
    messages: int
    total: Counts
    per_tag: tuple[TagScore, ...]  # every tag labelled or given, the most labelled first
    disagreements: tuple[Disagreement, ...]  # newest first (as the labels came)


@dataclass(frozen=True)
class Tagged:
    """A labelled message with what the tagger gives it, and why."""

    said: Said
    matches: tuple[TagMatch, ...]

    @property
    def given(self) -> tuple[str, ...]:
        return tuple(sorted({match.tag for match in self.matches}))


def given_tags(tagger: Tagger, text: str) -> tuple[str, ...]:
    return tuple(sorted({match.tag for match in tagger.tag(text)}))


def tag_all(labels: Sequence[Said], tagger: Tagger) -> list[Tagged]:
    return [Tagged(said, tuple(tagger.tag(said.text))) for said in labels]


def score(labels: Sequence[Said], tagger: Tagger) -> Scores:
    """`tagger` over every labelled message, against its label."""
    return score_tagged(tag_all(labels, tagger))


def score_tagged(tagged: Sequence[Tagged]) -> Scores:
    """The labelled messages as tagged (`tag_all`), against their labels."""
    right: Counter[str] = Counter()
    given: Counter[str] = Counter()
    wanted: Counter[str] = Counter()
    disagreements: list[Disagreement] = []
    for one in tagged:
        said = one.said
        gold, got = set(said.tags or ()), one.given
        right.update(tag for tag in got if tag in gold)
        given.update(got)
        wanted.update(gold)
        if gold != set(got):
            disagreements.append(Disagreement(said, got, tuple(t for t in got if t not in gold),
                                              tuple(sorted(gold - set(got)))))
    per_tag = sorted((TagScore(tag, Counts(right[tag], given[tag], wanted[tag]))
                      for tag in given.keys() | wanted.keys()),
                     key=lambda s: (-s.counts.labelled, -s.counts.given, s.tag))
    total = Counts(sum(right.values()), sum(given.values()), sum(wanted.values()))
    return Scores(len(tagged), total, tuple(per_tag), tuple(disagreements))


@dataclass(frozen=True)
class Comparison:
    """The running rules and an edit of them, scored on the same labels."""

    before: Scores
    after: Scores
    fixed: tuple[Disagreement, ...]  # wrong under the running rules, right under the edit (as they were)
    broken: tuple[Disagreement, ...]  # right under the running rules, wrong under the edit


def compare(labels: Sequence[Said], running: Tagger, edited: Tagger) -> Comparison:
    before, after = score(labels, running), score(labels, edited)
    wrong_before = {d.said.message_id: d for d in before.disagreements}
    wrong_after = {d.said.message_id: d for d in after.disagreements}
    fixed = tuple(d for id_, d in wrong_before.items() if id_ not in wrong_after)
    broken = tuple(d for id_, d in wrong_after.items() if id_ not in wrong_before)
    return Comparison(before, after, fixed, broken)
