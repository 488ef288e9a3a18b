"""The learned check: a small model that can take back a tag the keyword rules gave.

One logistic regression per tag on the message's character n-grams (TF-IDF, sublinear tf),
trained by `bot.tagging.training` with scikit-learn and stored as plain JSON, read here in pure
Python. The tagger asks it only about a tag a rule fired, and drops the tag when the model gives
it less than the rules file's `[model] veto_below`: the model removes tags, it never adds one.

The numbers are scikit-learn's exactly (TfidfVectorizer with a callable analyzer, then
LogisticRegression.predict_proba): for each n-gram of the message in the model's vocabulary,
(1 + ln tf) * idf, L2-normalised over those n-grams, dotted with the tag's weights, plus its
intercept, through the logistic function.

File (`FORMAT`, version `VERSION`): one JSON object; `vocabulary` holds one n-gram a line,
`"n-gram": [idf, [[tag index, weight], ...]]`, sorted, so a retrained model diffs by n-gram.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.tagging.script import fold

logger = logging.getLogger(__name__)

FORMAT = "siyu-tag-model"
VERSION = 1
DEFAULT_VETO_BELOW = 0.1


class ModelError(Exception):
    """The model file cannot be used: missing, unreadable, or not a model of this format."""


def ngrams(text: str, longest: int) -> list[str]:
    """The character 1..`longest`-grams of the message as the tagger folds it (width, case,
    traditional to simplified: `script.fold`); training and inference both read text through this."""
    folded = fold(text)
    return [folded[start : start + n] for n in range(1, longest + 1) for start in range(len(folded) - n + 1)]


@dataclass(frozen=True)
class TagModel:
    """A loaded model; `chances` is read-only and thread-safe."""

    tags: tuple[str, ...]
    intercepts: tuple[float, ...]
    longest: int  # n-grams of 1..longest characters
    # n-gram -> (idf, {tag index: weight}); an n-gram with no weight left still counts in the norm.
    vocabulary: Mapping[str, tuple[float, Mapping[int, float]]]
    training: Mapping[str, Any]
    digest: str = ""  # SHA-256 of the file it was read from

    def index(self, tag: str) -> int | None:
        return self._indexes().get(tag)

    def _indexes(self) -> dict[str, int]:
        return _tag_indexes(self.tags)

    def chance(self, text: str, tag: str) -> float:
        """The model's probability that `tag` belongs on `text`."""
        index = self._indexes()[tag]
        return self.chances(text, (index,))[index]

    def chances(self, text: str, indexes: Iterable[int]) -> dict[int, float]:
        """Tag index -> probability, for several tags of one message in one pass over its n-grams."""
        wanted = tuple(indexes)
        counts: dict[str, int] = {}
        vocabulary = self.vocabulary
        folded = fold(text)
        length = len(folded)
        for n in range(1, self.longest + 1):
            for start in range(length - n + 1):
                gram = folded[start : start + n]
                if gram in vocabulary:
                    counts[gram] = counts.get(gram, 0) + 1
        sums = dict.fromkeys(wanted, 0.0)
        squares = 0.0
        for gram, count in counts.items():
            idf, weights = vocabulary[gram]
            value = (1.0 + math.log(count)) * idf
            squares += value * value
            if weights:
                for index in wanted:
                    weight = weights.get(index)
                    if weight is not None:
                        sums[index] += value * weight
        norm = math.sqrt(squares) or 1.0
        return {index: _logistic(total / norm + self.intercepts[index]) for index, total in sums.items()}


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
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path} is not a model file (invalid JSON: {exc})") from exc
    model = dataclasses.replace(parse_model(data, path), digest=hashlib.sha256(raw).hexdigest())
    logger.info("tag model %s: %d tags, %d n-grams", os.path.basename(path), len(model.tags), len(model.vocabulary))
    return model


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
        vocabulary = {gram: (float(idf), {int(t): float(w) for t, w in weights})
                      for gram, (idf, weights) in data["vocabulary"].items()}
        training = data.get("training", {})
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{source}: malformed model ({exc.__class__.__name__}: {exc})") from exc
    if not all(isinstance(tag, str) and tag for tag in tags) or len(intercepts) != len(tags):
        raise ModelError(f"{source}: malformed model (tags and intercepts do not match)")
    if low != 1 or not isinstance(longest, int) or longest < 1:
        raise ModelError(f"{source}: malformed model (ngrams must be [1, n], got {data['ngrams']!r})")
    if any(t < 0 or t >= len(tags) for _, weights in vocabulary.values() for t in weights):
        raise ModelError(f"{source}: malformed model (a weight names no tag)")
    return TagModel(tags, intercepts, longest, vocabulary, training if isinstance(training, dict) else {})


def model_json(model: TagModel) -> str:
    """The file's text: deterministic (same model, same bytes), one vocabulary entry a line."""
    head = {"format": FORMAT, "version": VERSION, "ngrams": [1, model.longest], "tags": list(model.tags),
            "intercepts": list(model.intercepts), "training": model.training}
    lines = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",", ' "vocabulary": {']
    entries = ["  " + json.dumps(gram, ensure_ascii=False) + ": "
               + json.dumps([idf, [[t, w] for t, w in sorted(weights.items())]], separators=(",", ":"))
               for gram, (idf, weights) in sorted(model.vocabulary.items())]
    lines.append(",\n".join(entries))
    lines.append(" }\n}\n")
    return "\n".join(lines)


@dataclass(frozen=True)
class ModelCheck:
    """A rules file's `[model]`: which rules the model checks, against which of its tags, and below
    what chance it drops them."""

    model: TagModel
    veto_below: float
    path: str
    checked: Mapping[int, int]  # keyword rule number -> the model's tag index

    def dropped(self, text: str, fired: Iterable[int]) -> dict[int, float]:
        """Rule number -> the model's chance, for each fired rule the model takes back."""
        asked = [number for number in fired if number in self.checked]
        if not asked:
            return {}
        chances = self.model.chances(text, {self.checked[number] for number in asked})
        return {number: chance for number in asked
                if (chance := chances[self.checked[number]]) < self.veto_below}


def checked_rules(model: TagModel, rule_models: Sequence[str | None]) -> dict[int, int]:
    """Rule number -> tag index, for each rule whose `model` tag (None: not checked) the model knows."""
    return {number: index for number, tag in enumerate(rule_models)
            if tag is not None and (index := model.index(tag)) is not None}


def vetoed_reason(chance: float, veto_below: float) -> str:
    """The explanation a user reads for a tag the model took back."""
    return f"模型判断可能性 {chance:.2f}，低于 {veto_below:.2f}，未打标签"
