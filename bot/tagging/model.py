"""The learned check: a small model that can take back a tag the keyword rules gave.

One logistic regression per tag on the message's character n-grams (TF-IDF, sublinear tf),
trained by `bot.tagging.training` with scikit-learn and stored as plain JSON, read here in pure
Python. The tagger asks it about the tags of the rules it checks: a fired rule's tag is dropped when
the model gives it less than the rules file's `[model] veto_below`, and a rule that did not fire is
fired when the model gives its tag more than `add_above` (`Veto.decide`).

The numbers are scikit-learn's exactly (TfidfVectorizer with a callable analyzer, then
LogisticRegression.predict_proba): for each n-gram of the message in the model's vocabulary,
(1 + ln tf) * idf, L2-normalised over those n-grams, dotted with the tag's weights, plus its
intercept, through the logistic function.

File (`FORMAT`, version `VERSION`): one JSON object; `vocabulary` holds one n-gram a line,
`"n-gram": [idf, [[tag index, weight], ...]]`, sorted, so a retrained model diffs by n-gram. Loaded,
it is read through one table, n-gram -> (idf squared, idf times each tag's weight): a message costs
one look-up per n-gram, and the sums of all the tags a rules file checks are one pass in C over the
message's terms (`_sums`), with no multiplication left where no n-gram repeats (most messages). A
rules file that checks some of the model's tags reads a copy of the table with only their columns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import math
import operator
import os
from array import array
from collections import Counter, _count_elements  # type: ignore[attr-defined]
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.tagging.disk_cache import cache_path, load_cached, store_cached
from bot.tagging.script import fold

logger = logging.getLogger(__name__)

FORMAT = "siyu-tag-model"
VERSION = 1
DEFAULT_VETO_BELOW = 0.2
DEFAULT_ADD_ABOVE = 0.9  # 1: never add
# Moods in which the rules' refusal stands against the check: a rule refused in one of them, in a sentence that
# asks nothing, is not added (这个价位我能接受, 那个号我确认了, 价格我早就打听过了: read, and read as no concern).
DEFAULT_DECISIVE = ("accepted", "informed", "confirming")


class ModelError(Exception):
    """The model file cannot be used: missing, unreadable, or not a model of this format."""


def ngrams(text: str, longest: int) -> list[str]:
    """The character 1..`longest`-grams of the message as the tagger folds it (width, case,
    traditional to simplified: `script.fold`); training and inference both read text through this."""
    return _ngrams(fold(text), longest)


def _ngrams(folded: str, longest: int) -> list[str]:
    grams = list(folded)
    longer = grams
    for n in range(2, longest + 1):  # each n-gram is an (n-1)-gram and the next character, joined in C
        longer = list(map(operator.add, longer, folded[n - 1 :]))
        grams += longer
    return grams


@dataclass(frozen=True)
class TagModel:
    """A loaded model; `chances` is read-only and thread-safe."""

    tags: tuple[str, ...]
    intercepts: tuple[float, ...]
    longest: int  # n-grams of 1..longest characters
    # The vocabulary: n-gram -> (idf, then each tag's weight, 0.0 where its model dropped it); one look-up
    # per n-gram serves every tag. An n-gram with no weight left still counts in the norm.
    rows: Mapping[str, tuple[float, ...]]
    training: Mapping[str, Any]
    digest: str = ""  # SHA-256 of the file it was read from
    # The vocabulary as a message reads it: n-gram -> (idf squared, then idf times each tag's weight), what
    # the n-gram adds to the squared norm and to each tag's sum where it occurs once; summing these columns
    # over a message's n-grams is the whole model, in C. Derived from `rows` (and cached with the file).
    terms: Mapping[str, tuple[float, ...]] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.terms) != len(self.rows):
            object.__setattr__(self, "terms", {
                gram: (row[0] * row[0], *(weight * row[0] if weight else 0.0 for weight in row[1:]))
                for gram, row in self.rows.items()})

    def index(self, tag: str) -> int | None:
        return _tag_indexes(self.tags).get(tag)

    def chance(self, text: str, tag: str) -> float:
        """The model's probability that `tag` belongs on `text`."""
        index = _tag_indexes(self.tags)[tag]
        return self.chances(text, (index,))[index]

    def chances(self, text: str, indexes: Iterable[int]) -> dict[int, float]:
        """Tag index -> probability, for several tags of one message in one pass over its n-grams."""
        norm, sums = _sums(_plain(self.terms), fold(text), self.longest, len(self.tags))
        return {index: _logistic(sums[index] / norm + self.intercepts[index]) for index in indexes}

    def columns(self, indexes: Iterable[int]) -> Mapping[str, tuple[float, ...]]:
        """`terms` with only the columns of the tags `indexes` (in that order) beside the norm's: a rules file
        that checks a few of the model's tags sums only theirs. `terms` itself when that is every tag."""
        indexes = tuple(indexes)
        if indexes == tuple(range(len(self.tags))):
            return _plain(self.terms)
        stored = getattr(self, "_term_columns", None)  # a model read from its cache: the columns as arrays
        if stored is not None:
            grams, columns = stored
            read = zip(columns[0], *(columns[index + 1] for index in indexes), strict=True)
            return dict(zip(grams, read, strict=True))
        keep = operator.itemgetter(0, *(index + 1 for index in indexes))
        if not indexes:  # itemgetter of one item gives the item, not a tuple
            keep = _norm_only
        return dict(zip(self.terms.keys(), map(keep, self.terms.values()), strict=True))

    def evidence(self, text: str, index: int, most: int = 3) -> list[str]:
        """The words of `text` that weigh most for tag `index`: its n-grams with the largest positive
        contributions, overlapping or touching ones merged into one stretch of the text as written."""
        folded = fold(text)
        counts = Counter(ngrams(text, self.longest))
        rows = _plain(self.rows)
        contributions = {gram: rows[gram][index + 1] * _sublinear(count) * rows[gram][0]
                         for gram, count in counts.items() if gram in rows}
        strongest = sorted((gram for gram, weight in contributions.items() if weight > 0),
                           key=lambda gram: (-contributions[gram], gram))[: most * 2]
        spans: list[list[float]] = []  # [start, end, weight], merged
        for gram in strongest:
            start = folded.find(gram)
            while start >= 0:
                spans.append([start, start + len(gram), contributions[gram]])
                start = folded.find(gram, start + 1)
        merged: list[list[float]] = []
        for start, end, weight in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                merged[-1][2] += weight
            else:
                merged.append([start, end, weight])
        words = [text[int(start):int(end)].strip() for start, end, _ in sorted(merged, key=lambda span: -span[2])]
        words = list(dict.fromkeys(word for word in words if word))
        return ([word for word in words if len(word) > 1] or words)[:most]  # a lone character says little


def _sublinear(count: int) -> float:
    return 1.0 + math.log(count)


def _sums(terms: Mapping[str, tuple[float, ...]], folded: str, longest: int, width: int) -> tuple[float, list[float]]:
    """The message's L2 norm (1.0 when no n-gram is known) and each of the `width` columns' sum of
    (1 + ln tf) * idf * weight over its known n-grams: one look-up per n-gram and one pass over all
    columns in C (`zip`), however many tags. Summed in the order the n-grams first occur, each column
    as the straightforward sum would, so the probabilities are the same to the last bit."""
    grams = _ngrams(folded, longest)
    if len(set(folded)) == len(folded):  # no character twice, so no n-gram twice: each is read once
        known = list(filter(None, map(terms.get, grams)))  # None outside the vocabulary: it adds nothing
    else:
        known = _repeated(terms, grams)
    if not known:
        return 1.0, [0.0] * width
    norm, *sums = map(sum, zip(*known, strict=True))
    return math.sqrt(norm) or 1.0, sums


def _repeated(terms: Mapping[str, tuple[float, ...]], grams: list[str]) -> list[tuple[float, ...]]:
    """The known n-grams' terms of a message that reads some n-gram more than once: each once, then for
    each one read tf > 1 times its term again times ln tf (1 + ln tf in all, squared in the norm)."""
    counts: dict[str, int] = {}
    _count_elements(counts, grams)  # `Counter(grams)`'s own loop in C, without its Python-level set-up
    found = list(map(terms.get, counts))
    known = list(filter(None, found))
    repeated = map(operator.lt, _ONCE, counts.values())
    for term, count in itertools.compress(zip(found, counts.values(), strict=True), repeated):
        if term is not None:
            more = math.log(count)
            known.append((term[0] * (more * (2.0 + more)), *map(operator.mul, term[1:], itertools.repeat(more))))
    return known


def _norm_only(term: tuple[float, ...]) -> tuple[float, ...]:
    return term[:1]


_ONCE = itertools.repeat(1)  # compared with each count: the n-grams read more than once


@lru_cache(maxsize=8)
def _tag_indexes(tags: tuple[str, ...]) -> dict[str, int]:
    return {tag: number for number, tag in enumerate(tags)}


def _logistic(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def load_model(path: str | Path) -> TagModel:
    """Read a model file; raise `ModelError` saying what is wrong. Cached while the file is unchanged."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> TagModel:
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    # Parsing 3 MB of JSON and deriving `terms` takes 0.2-0.3 s; the tables marshalled as dicts of tuples,
    # 0.08 s. Kept instead as one array of doubles per column (`_cached_model`): read in a few
    # milliseconds, and a rules file's learned check builds only the columns it reads (`TagModel.columns`).
    name = cache_path(f"tag-model-{VERSION}-{digest[:24]}-columns.marshal")
    cached = _cached_model(load_cached(name), digest)
    if cached is not None:
        return cached
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path} is not a model file (invalid JSON: {exc})") from exc
    model = dataclasses.replace(parse_model(data, path), digest=digest)
    grams = list(model.rows)
    store_cached(name, (model.tags, model.intercepts, model.longest, dict(model.training), grams,
                        _column_bytes(model.rows, grams), _column_bytes(model.terms, grams)), "tag model")
    logger.info("tag model %s: %d tags, %d n-grams", os.path.basename(path), len(model.tags), len(model.rows))
    return model


def _column_bytes(table: Mapping[str, tuple[float, ...]], grams: list[str]) -> tuple[bytes, ...]:
    """Each column of `table` (rows in the order of `grams`) as the bytes of an array of doubles."""
    return tuple(array("d", column).tobytes() for column in zip(*map(table.__getitem__, grams), strict=True))


def _cached_model(cached: object, digest: str) -> TagModel | None:
    """The model `_load` cached, its tables read when first used (a rules file's check reads only its
    columns); None if `cached` is not such a thing. The same floats as the file's, bit for bit."""
    if not (isinstance(cached, tuple) and len(cached) == 7):
        return None
    tags, intercepts, longest, training, grams, row_bytes, term_bytes = cached
    if not (isinstance(grams, list) and isinstance(row_bytes, tuple) and isinstance(term_bytes, tuple)
            and len(row_bytes) == len(term_bytes) == len(tags) + 1):
        return None
    row_columns, term_columns = [], []
    for data, columns in ((row_bytes, row_columns), (term_bytes, term_columns)):
        for column in data:
            doubles = array("d")
            doubles.frombytes(column)
            if len(doubles) != len(grams):
                return None
            columns.append(doubles)
    rows = _Deferred(lambda: dict(zip(grams, zip(*row_columns, strict=True), strict=True)), len(grams))
    terms = _Deferred(lambda: dict(zip(grams, zip(*term_columns, strict=True), strict=True)), len(grams))
    model = TagModel(tuple(tags), tuple(intercepts), longest, rows, training, digest, terms)
    object.__setattr__(model, "_term_columns", (grams, term_columns))
    return model


class _Deferred(Mapping[str, tuple[float, ...]]):
    """A model's table built from its cached columns when first read; `len` is known before."""

    def __init__(self, build: Callable[[], dict[str, tuple[float, ...]]], length: int) -> None:
        self._build: Callable[[], dict[str, tuple[float, ...]]] | None = build
        self._table: dict[str, tuple[float, ...]] = {}
        self._length = length

    def table(self) -> dict[str, tuple[float, ...]]:
        if self._build is not None:
            self._table, self._build = self._build(), None
        return self._table

    def __getitem__(self, gram: str) -> tuple[float, ...]:
        return self.table()[gram]

    def __contains__(self, gram: object) -> bool:
        return gram in self.table()

    def __iter__(self) -> Iterator[str]:
        return iter(self.table())

    def __len__(self) -> int:
        return self._length

    def get(self, gram: str, default: Any = None) -> Any:
        return self.table().get(gram, default)

    def keys(self) -> Any:
        return self.table().keys()

    def values(self) -> Any:
        return self.table().values()

    def items(self) -> Any:
        return self.table().items()


def _plain(table: Mapping[str, tuple[float, ...]]) -> Mapping[str, tuple[float, ...]]:
    """The dict behind a table (its look-ups in C), built if it was deferred."""
    return table.table() if isinstance(table, _Deferred) else table


def parse_model(data: object, source: str = "<model>") -> TagModel:
    """A model from its parsed JSON; `ModelError` naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelError(f"{source} is not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise ModelError(f"{source}: format version {data.get('version')!r}, this Siyu reads version {VERSION}")
    try:
        tags = tuple(data["tags"])
        intercepts = tuple(float(b) for b in data["intercepts"])
        low, longest = data["ngrams"]
        rows: dict[str, tuple[float, ...]] = {}
        for gram, (idf, pairs) in data["vocabulary"].items():
            row = [float(idf)] + [0.0] * len(tags)
            for tag, weight in pairs:
                row[1 + tag] = float(weight)
            rows[gram] = tuple(row)
        training = data.get("training", {})
    except (KeyError, TypeError, ValueError, IndexError) as exc:  # IndexError: a weight of no tag
        raise ModelError(f"{source}: malformed model ({exc.__class__.__name__}: {exc})") from exc
    if not all(isinstance(tag, str) and tag for tag in tags) or len(intercepts) != len(tags):
        raise ModelError(f"{source}: malformed model (tags and intercepts do not match)")
    if low != 1 or not isinstance(longest, int) or longest < 1:
        raise ModelError(f"{source}: malformed model (ngrams must be [1, n], got {data['ngrams']!r})")
    return TagModel(tags, intercepts, longest, rows, training if isinstance(training, dict) else {})


def model_json(model: TagModel) -> str:
    """The file's text: deterministic (same model, same bytes), one vocabulary entry a line."""
    head = {"format": FORMAT, "version": VERSION, "ngrams": [1, model.longest], "tags": list(model.tags),
            "intercepts": list(model.intercepts), "training": model.training}
    def entry(gram: str, row: tuple[float, ...]) -> str:
        weights = [[tag, weight] for tag, weight in enumerate(row[1:]) if weight != 0.0]
        return f"  {json.dumps(gram, ensure_ascii=False)}: {json.dumps([row[0], weights], separators=(',', ':'))}"

    entries = [entry(gram, row) for gram, row in sorted(model.rows.items())]
    return "\n".join([json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",", ' "vocabulary": {',
                      ",\n".join(entries), " }\n}\n"])


@dataclass(frozen=True)
class ModelCheck:
    """A rules file's `[model]`: the model, below what chance it takes a fired rule's tag back, and
    above what chance it gives the tag of a rule that did not fire."""

    model: TagModel
    veto_below: float
    path: str
    add_above: float = DEFAULT_ADD_ABOVE
    decisive: frozenset[str] = frozenset(DEFAULT_DECISIVE)


class Veto:
    """The learned check as one tagger applies it: which of its rules the model checks, as which tag."""

    def __init__(self, check: ModelCheck, rule_models: Sequence[str | bool], rule_tags: Sequence[str],
                 never_vetoed: Iterable[int] = ()) -> None:
        """`rule_models`: each rule's `model` (True: its own tag, False: never, a tag: that tag's model);
        `never_vetoed`: rules the model may add but not take back (the opt-out)."""
        self.veto_below = check.veto_below
        self.add_above = check.add_above
        self._model = check.model
        wanted = [tag if wanted is True else wanted for wanted, tag in zip(rule_models, rule_tags, strict=True)]
        checked = {number: index for number, tag in enumerate(wanted)
                   if isinstance(tag, str) and (index := check.model.index(tag)) is not None}
        self._checked = checked
        self._never_vetoed = frozenset(never_vetoed)
        # Only the tags these rules are checked as are scored: a model of 25 tags costs a file that checks
        # 6 of them little more than a model of 6. Rule -> its tag's column in `_terms` and `_intercepts`.
        read = sorted(set(checked.values()))
        self._terms = check.model.columns(read)
        self._intercepts = [check.model.intercepts[index] for index in read]
        self._longest = check.model.longest
        self._columns = {number: read.index(index) for number, index in checked.items()}
        self._adds = self.add_above < 1
        self._add_from = _logit_floor(self.add_above)

    def decide(self, folded: str, fired: Iterable[int]) -> tuple[dict[int, float], dict[int, float]]:
        """(fired rule -> chance, for those the model takes back; unfired rule -> chance, for those it
        would add), for a message as `script.fold` reads it (the tagger has folded it already). The
        caller decides whether an addition may stand (exclusive groups, yield_to)."""
        fired = set(fired)
        columns = self._columns
        if not columns or not self._adds and fired.isdisjoint(columns):  # nothing to ask the model
            return {}, {}
        norm, sums = _sums(self._terms, folded, self._longest, len(self._intercepts))
        logits = [total / norm + intercept for total, intercept in zip(sums, self._intercepts, strict=True)]
        dropped = {number: chance for number in sorted(fired) if number in columns and number not in
                   self._never_vetoed and (chance := _logistic(logits[columns[number]])) < self.veto_below}
        if not self._adds:
            return dropped, {}
        # A logit below the threshold's (less a margin wider than any rounding) is never added: the
        # logistic function is only worked out for the few tags that come near.
        add_from = self._add_from
        added = {number: chance for number, column in columns.items() if number not in fired
                 and logits[column] > add_from and (chance := _logistic(logits[column])) > self.add_above}
        return dropped, added

    def evidence(self, text: str, number: int) -> list[str]:
        """The words that weighed most for rule `number`'s checked tag."""
        return self._model.evidence(text, self._checked[number])


def mostly_latin(folded: str) -> bool:
    """More Latin letters than Chinese characters: a message the model, trained on Chinese messages, has
    too few n-grams of to take a rule's tag back (「Very disappointed, the bag smells of smoke. 跟描述不一样」)."""
    latin = sum(1 for char in folded if "a" <= char <= "z")
    return latin > sum(1 for char in folded if "\u4e00" <= char <= "\u9fff")


def _logit_floor(chance: float) -> float:
    """A logit below which the probability is surely not above `chance` (in (0.5, 1)), for any rounding
    of the logistic function (a few units in the last place): its logit less 1e-6, which moves the
    probability by more than 1e-15 while `chance` is below 1 - 1e-8; closer to 1, nothing is ruled out."""
    if not 0.5 <= chance < 1 - 1e-8:
        return -math.inf
    return math.log(chance / (1.0 - chance)) - 1e-6


def vetoed_reason(chance: float, veto_below: float) -> str:
    """The explanation a user reads for a tag the model took back."""
    return f"模型判断可能性 {chance:.2f}，低于 {veto_below:.2f}，未打标签"


def added_reason(chance: float, add_above: float, words: Sequence[str]) -> str:
    """The explanation a user reads for a tag the model gave where no keyword rule fired."""
    because = f"（依据：{'、'.join(words)}）" if words else ""
    return f"模型判断可能性 {chance:.2f}，高于 {add_above:.2f}，补打标签{because}"
