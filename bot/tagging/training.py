"""Train the learned check (`bot.tagging.model`) from labelled messages: `siyu tag train`.

Needs scikit-learn, an optional extra (`pip install 'siyu[train]'`): the bot itself reads the
model in pure Python. Same files and options, same model file, byte for byte.

Per tag with at least `min_examples` positive messages: LogisticRegression (lbfgs, class_weight
balanced, `C`) on TfidfVectorizer over `model.ngrams` (sublinear tf, n-grams seen in at least
`min_df` messages). Then, per tag, the smallest weights are dropped as long as no training
message's probability moves by more than `prune` (the change measured is stored in the file).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bot.tagging.model import TagModel, ngrams

logger = logging.getLogger(__name__)

MAX_ITER = 2000


class TrainingError(Exception):
    """Training cannot run: scikit-learn missing, a data file unreadable, no tag with enough examples."""


@dataclass(frozen=True)
class Options:
    C: float = 8.0  # noqa: N815  (scikit-learn's name for the inverse regularisation strength)
    ngrams: int = 3
    min_df: int = 2
    min_examples: int = 5
    prune: float = 0.01  # largest change of a training message's probability that dropping weights may cause
    decimals: int | None = 4  # weights kept to this many decimals (idf to 2 more) in the file; None: exact


Row = tuple[str, frozenset[str]]


def read_rows(path: Path) -> list[Row]:
    """The messages of a tests/data-style JSON lines file: {"text": ..., "tags": [...]} a line."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append((str(row["text"]), frozenset(map(str, row["tags"]))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise TrainingError(f"{path}:{number}: not a {{\"text\": ..., \"tags\": [...]}} line ({exc})") from exc
    return rows


def train(files: Sequence[Path], options: Options = Options()) -> TagModel:
    """A model trained on `files` (their order kept); raises `TrainingError`."""
    try:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise TrainingError("训练模型需要 scikit-learn：pip install 'siyu[train]' "
                            "(training a model needs scikit-learn: pip install 'siyu[train]')") from exc

    rows = [row for path in files for row in read_rows(path)]
    counts: dict[str, int] = {}
    for _, tags in rows:
        for tag in tags:
            counts[tag] = counts.get(tag, 0) + 1
    tags = sorted(tag for tag, count in counts.items() if count >= options.min_examples)
    if not tags:
        raise TrainingError(f"no tag has {options.min_examples} or more example messages in {len(rows)} messages")
    vectors = TfidfVectorizer(analyzer=partial(ngrams, longest=options.ngrams), min_df=options.min_df,
                              sublinear_tf=True)
    x = vectors.fit_transform([text for text, _ in rows])
    grams = vectors.get_feature_names_out()
    idf = vectors.idf_
    columns = x.tocsc()
    weights: list[dict[str, float]] = []  # per tag: n-gram -> weight
    intercepts = []
    exact = []  # each tag's probabilities on the training messages, before pruning and rounding
    for tag in tags:
        wanted = np.array([tag in gold for _, gold in rows])
        fitted = LogisticRegression(C=options.C, class_weight="balanced", max_iter=MAX_ITER).fit(x, wanted)
        coef, intercept = fitted.coef_[0], float(fitted.intercept_[0])
        exact.append(fitted.predict_proba(x)[:, 1])
        if options.decimals is not None:
            coef = np.round(coef, options.decimals)
        kept, change = _pruned(columns, coef, intercept, exact[-1], options.prune)
        intercepts.append(intercept)
        weights.append({str(grams[column]): float(coef[column]) for column in kept if coef[column] != 0})
        logger.info("%s: %d positive of %d, %d of %d weights kept (largest change %.4f)",
                    tag, int(wanted.sum()), len(rows), len(kept), len(coef), change)
    if options.decimals is not None:
        idf = np.round(idf, options.decimals + 2)
    vocabulary = {str(gram): (float(idf[column]), *(tag.get(str(gram), 0.0) for tag in weights))
                  for column, gram in enumerate(grams)}
    model = TagModel(tuple(tags), tuple(intercepts), options.ngrams, vocabulary, {})
    # What pruning and rounding cost, measured with the bot's own reading of the stored model.
    indexes = range(len(tags))
    change = max(abs(chance - exact[index][row]) for row, (text, _) in enumerate(rows)
                 for index, chance in model.chances(text, indexes).items())
    return dataclasses.replace(model, training=_training_record(files, rows, options, counts, tags, change))


def _pruned(columns: Any, coef: Any, intercept: float, full: Any, tolerance: float) -> tuple[list[int], float]:
    """The columns whose weights stay, smallest |w| dropped first while no training message's
    probability moves from `full` by more than `tolerance`; and the largest change they cause."""
    import numpy as np

    order = np.argsort(np.abs(coef), kind="stable")
    z = columns @ coef + intercept

    def change(dropped: int) -> float:
        if dropped == 0:
            return float(np.max(np.abs(full - _probability(z))))
        gone = order[:dropped]
        return float(np.max(np.abs(full - _probability(z - columns[:, gone] @ coef[gone]))))

    low, high = 0, len(order)  # change(low) <= tolerance; search the most that may go
    while low < high:
        middle = (low + high + 1) // 2
        if change(middle) <= tolerance:
            low = middle
        else:
            high = middle - 1
    return sorted(int(column) for column in order[low:]), change(low)


def _probability(z: Any) -> Any:
    import numpy as np

    return 1.0 / (1.0 + np.exp(-z))


def _training_record(files: Sequence[Path], rows: list[Row], options: Options, counts: dict[str, int],
                     tags: list[str], change: float) -> dict[str, Any]:
    return {
        "files": [{"path": path.as_posix(), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16]}
                  for path in files],
        "messages": len(rows),
        "positives": {tag: counts[tag] for tag in tags},
        "options": {"C": options.C, "ngrams": options.ngrams, "min_df": options.min_df,
                    "min_examples": options.min_examples, "prune": options.prune, "decimals": options.decimals,
                    "class_weight": "balanced", "max_iter": MAX_ITER},
        # the largest change pruning and rounding make to a training message's probability, any tag
        "largest_change": round(change, 6),
    }
