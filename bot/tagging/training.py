"""Train the learned check (`bot.tagging.model`) from labelled messages: `siyu tag train`.

Needs scikit-learn, an optional extra (`pip install 'siyu[train]'`): the bot itself reads the
model in pure Python. Same files and options, same model file, byte for byte.

Per tag with at least `min_examples` positive messages: LogisticRegression (lbfgs, class_weight
balanced, `C`) on TfidfVectorizer over `model.ngrams` (sublinear tf, n-grams seen in at least
`min_df` messages). Then, per tag, the smallest weights are dropped as long as no training
message's probability moves by more than `prune` (the change measured is stored in the file).

Data files are labelled for different tag sets (a trade's for its own rules file's tags, a clinic set
without the school's tags), so a manifest (`read_manifest`, `train_manifest`) says what each group of
files is labelled for; each tag trains on the messages of the groups labelled for it, and only those.

A manifest's `[concepts]` names, for a model tag, the value names (the part after the colon) operators
give it: a trade's rules file that has a tag of one of them (not a topic) labels its messages for that
model tag (售后:质量 and 售后:问题 both teach 售后:问题). The file records them (`training.concepts`), and
the bot checks an operator's tag the model does not know by name with the concept of its value
(`bot.tagging.model_tags`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bot.tagging.model import TagModel, ngrams
from bot.tagging.model_tags import value_name

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


@dataclass(frozen=True)
class Group:
    """Files labelled for the same tags: a message of them is a positive of such a tag if it carries
    it, else a negative."""

    files: tuple[Path, ...]
    labelled: frozenset[str]
    names: tuple[str, ...] = ()  # the files as the manifest writes them, for the training record
    # model tag -> the files' tags that count as it (a rules file's tags of a concept's value names);
    # a labelled tag not here counts as itself only
    sources: tuple[tuple[str, frozenset[str]], ...] = ()

    def carried(self, tags: frozenset[str]) -> frozenset[str]:
        """The labelled model tags a message of these files carries, given its own tags."""
        sources = dict(self.sources)
        return frozenset(tag for tag in self.labelled if tags & sources.get(tag, frozenset((tag,))))


@dataclass(frozen=True)
class Manifest:
    """A model's recipe (`rules/tags.model.toml`): options, the tags it learns, the labelled data."""

    options: Options
    tags: tuple[str, ...]
    groups: tuple[Group, ...]
    # [concepts]: model tag -> the value names (after the colon) of the operators' tags it stands for
    concepts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    add_only: tuple[str, ...] = ()  # model tags the bot may add but never takes back


_MANIFEST_OPTIONS = {"C": float, "ngrams": int, "min_df": int, "min_examples": int}


def read_manifest(path: Path) -> Manifest:
    """The manifest at `path`; `TrainingError` naming the file and key of every problem found.

    ```toml
    C = 8                     # the options of `Options` (defaults as there)
    tags = ["意向:预约", ...]  # what the model learns
    add_only = ["售后:问题"]   # tags the bot may add but never takes back
    [concepts]                # a model tag: the value names of operators' tags it learns from and checks
    "售后:问题" = ["问题", "质量"]
    [[data]]
    files = ["tagging_dev.jsonl"]          # relative to the manifest
    tags = ["意向:预约", ...]               # what these files are labelled for, or
    # rules = "aftercare_tags.toml"        # labelled for that rules file's keyword tags
    ```"""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TrainingError(f"{path}: invalid TOML: {exc}") from exc
    return parse_manifest(raw, path)


def parse_manifest(raw: dict[str, Any], path: Path) -> Manifest:
    """A manifest from its parsed TOML (files relative to `path`'s folder); `TrainingError` as `read_manifest`."""
    errors: list[str] = []
    folder = path.parent
    for key in sorted(set(raw) - {"tags", "data", "concepts", "add_only", *_MANIFEST_OPTIONS}):
        errors.append(f"{path}: {key}: unknown key (expected tags, concepts, add_only, data, "
                      f"{', '.join(_MANIFEST_OPTIONS)})")
    values: dict[str, Any] = {}
    for key, kind in _MANIFEST_OPTIONS.items():
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(
                    value, int)) or value <= 0:
                errors.append(f"{path}: {key}: must be a positive {'whole ' if kind is int else ''}number")
            else:
                values[key] = kind(value)
    tags = raw.get("tags")
    if not _strings(tags):
        errors.append(f"{path}: tags: must be a non-empty list of tag names")
        tags = []
    concepts = _concepts(raw.get("concepts", {}), tags, path, errors)
    add_only = raw.get("add_only", [])
    if not isinstance(add_only, list) or not all(isinstance(tag, str) for tag in add_only):
        errors.append(f"{path}: add_only: must be a list of tag names")
        add_only = []
    errors.extend(f"{path}: add_only: {tag!r} is not one of tags" for tag in add_only if tag not in tags)
    groups = []
    data = raw.get("data")
    if not isinstance(data, list) or not data or not all(isinstance(group, dict) for group in data):
        errors.append(f"{path}: data: must be one or more [[data]] tables")
        data = []
    for number, group in enumerate(data):
        where = f"{path}: data[{number}]"
        for key in sorted(set(group) - {"files", "tags", "rules"}):
            errors.append(f"{where}.{key}: unknown key (expected files, and tags or rules)")
        names = group.get("files")
        if not _strings(names):
            errors.append(f"{where}.files: must be a non-empty list of file names")
            names = []
        for name in names:
            if any(mark in name for mark in "*?["):
                errors.append(f"{where}.files: {name!r}: name each file, no patterns")
            elif not (folder / name).is_file():
                errors.append(f"{where}.files: {name!r}: no such file")
        if ("tags" in group) == ("rules" in group):
            errors.append(f"{where}: give either tags or rules (what these files are labelled for)")
            continue
        if "tags" in group:
            labelled, sources = group.get("tags"), {}
        else:
            labelled, sources = _rules_labels(_rules_tags(folder, group["rules"], where, errors), concepts)
        if not _strings(labelled):
            if "tags" in group:
                errors.append(f"{where}.tags: must be a non-empty list of tag names")
            continue
        groups.append(Group(tuple(folder / name for name in names), frozenset(labelled), tuple(names),
                            tuple(sorted(sources.items()))))
    for tag in tags:
        if groups and not any(tag in group.labelled for group in groups):
            errors.append(f"{path}: tags: no [[data]] group is labelled for {tag!r}")
    if errors:
        raise TrainingError("\n".join(errors))
    return Manifest(dataclasses.replace(Options(), **values), tuple(tags), tuple(groups),
                    tuple(sorted(concepts.items())), tuple(sorted(set(add_only))))


def _strings(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) and item for item in value)


def _concepts(raw: object, tags: list[str], path: Path, errors: list[str]) -> dict[str, tuple[str, ...]]:
    """`[concepts]`: model tag -> its value names; each a tag of `tags`, each value name in one concept."""
    if not isinstance(raw, dict):
        errors.append(f"{path}: concepts: must be a table of \"model tag\" = [value names]")
        return {}
    concepts: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for tag, names in raw.items():
        where = f'{path}: concepts."{tag}"'
        if tag not in tags:
            errors.append(f"{where}: not one of tags (a concept is a tag the model learns)")
        if not _strings(names) or any(":" in name or name != name.strip() for name in names):
            errors.append(f"{where}: must be a non-empty list of value names (the part after the colon, 问题 of"
                          " 售后:问题)")
            continue
        for name in names:
            if owner.setdefault(name, tag) != tag:
                errors.append(f"{where}: {name!r} is already a value name of {owner[name]!r}")
        concepts[tag] = tuple(dict.fromkeys(names))
    return concepts


def _rules_labels(rules: list[tuple[str, bool]], concepts: dict[str, tuple[str, ...]]
                  ) -> tuple[list[str], dict[str, frozenset[str]]]:
    """What a rules file's messages are labelled for: its keyword tags by name, and each concept one of its
    (non-topic) tags has a value name of; and, per concept, the tags that count as it."""
    sources = {}
    for concept, names in concepts.items():
        found = frozenset(tag for tag, negatable in rules if tag == concept or (negatable and value_name(tag) in names))
        if found:
            sources[concept] = found
    return list(dict.fromkeys([*(tag for tag, _ in rules), *sources])), sources


def _rules_tags(folder: Path, name: object, where: str, errors: list[str]) -> list[tuple[str, bool]]:
    """The keyword tags of a rules file, each with whether it is negatable (not a topic); read as TOML
    only: its [model], if any, is not loaded."""
    if not isinstance(name, str) or not name:
        errors.append(f"{where}.rules: must be a rules file name")
        return []
    try:
        rules = tomllib.loads((folder / name).read_text(encoding="utf-8"))
        return [(str(rule["tag"]), rule.get("negatable", True) is not False) for rule in rules.get("keyword", [])]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        errors.append(f"{where}.rules: {name!r}: cannot read its keyword tags ({exc.__class__.__name__}: {exc})")
        return []


def train_manifest(manifest: Manifest) -> TagModel:
    """A model of the manifest's tags, each trained on the messages of the groups labelled for it."""
    return train([path for group in manifest.groups for path in group.files], manifest.options, manifest)


def train(files: Sequence[Path], options: Options = Options(), manifest: Manifest | None = None) -> TagModel:
    """A model trained on `files` (their order kept), every tag on every message, or as `manifest`
    says; raises `TrainingError`."""
    try:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise TrainingError("训练模型需要 scikit-learn：pip install 'siyu[train]' "
                            "(training a model needs scikit-learn: pip install 'siyu[train]')") from exc

    rows = [row for path in files for row in read_rows(path)]
    # each message's labelled-for tags: None for every tag (no manifest); and the model tags it carries
    labelled: list[frozenset[str] | None] = [None] * len(rows) if manifest is None else [
        group.labelled for group in manifest.groups for path in group.files for _ in read_rows(path)]
    if manifest is not None:
        rows = [(text, group.carried(tags)) for group in manifest.groups for path in group.files
                for text, tags in read_rows(path)]
    counts: dict[str, int] = {}
    for (_, tags), known in zip(rows, labelled, strict=True):
        for tag in tags:
            if known is None or tag in known:
                counts[tag] = counts.get(tag, 0) + 1
    if manifest is None:
        tags = sorted(tag for tag, count in counts.items() if count >= options.min_examples)
        if not tags:
            raise TrainingError(f"no tag has {options.min_examples} or more example messages in {len(rows)} messages")
    else:
        tags = sorted(manifest.tags)
        few = [f"{tag!r} ({counts.get(tag, 0)})" for tag in tags if counts.get(tag, 0) < options.min_examples]
        if few:
            raise TrainingError(f"tags: fewer than min_examples = {options.min_examples} example messages: "
                                f"{', '.join(few)}")
    vectors = TfidfVectorizer(analyzer=partial(ngrams, longest=options.ngrams), min_df=options.min_df,
                              sublinear_tf=True)
    x = vectors.fit_transform([text for text, _ in rows])
    grams = vectors.get_feature_names_out()
    idf = vectors.idf_
    columns = x.tocsc()
    weights: list[dict[str, float]] = []  # per tag: n-gram -> weight
    intercepts = []
    exact = []  # each tag's probabilities on the training messages, before pruning and rounding
    reads: list[list[int]] = []  # per tag: the messages it trains on
    for tag in tags:
        reads.append([number for number, known in enumerate(labelled) if known is None or tag in known])
        own = x[reads[-1]] if manifest is not None else x
        wanted = np.array([tag in rows[number][1] for number in reads[-1]])
        fitted = LogisticRegression(C=options.C, class_weight="balanced", max_iter=MAX_ITER).fit(own, wanted)
        coef, intercept = fitted.coef_[0], float(fitted.intercept_[0])
        exact.append(fitted.predict_proba(own)[:, 1])
        if options.decimals is not None:
            coef = np.round(coef, options.decimals)
        kept, change = _pruned(own.tocsc() if manifest is not None else columns, coef, intercept, exact[-1],
                               options.prune)
        intercepts.append(intercept)
        weights.append({str(grams[column]): float(coef[column]) for column in kept if coef[column] != 0})
        logger.info("%s: %d positive of %d, %d of %d weights kept (largest change %.4f)",
                    tag, int(wanted.sum()), len(reads[-1]), len(kept), len(coef), change)
    if options.decimals is not None:
        idf = np.round(idf, options.decimals + 2)
    vocabulary = {str(gram): (float(idf[column]), *(tag.get(str(gram), 0.0) for tag in weights))
                  for column, gram in enumerate(grams)}
    model = TagModel(tuple(tags), tuple(intercepts), options.ngrams, vocabulary, {})
    # What pruning and rounding cost, measured with the bot's own reading of the stored model.
    change = max(abs(model.chances(rows[number][0], (index,))[index] - exact[index][place])
                 for index in range(len(tags)) for place, number in enumerate(reads[index]))
    return dataclasses.replace(model, training=_training_record(files, rows, options, counts, tags, change, manifest))


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
                     tags: list[str], change: float, manifest: Manifest | None = None) -> dict[str, Any]:
    # a manifest's files as it names them (relative to it), so the record is the same wherever it is built
    names = [name for group in manifest.groups for name in group.names] if manifest else [p.as_posix() for p in files]
    record: dict[str, Any] = {
        "files": [{"path": name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16]}
                  for name, path in zip(names, files, strict=True)],
        "messages": len(rows),
        "positives": {tag: counts[tag] for tag in tags},
        "options": {"C": options.C, "ngrams": options.ngrams, "min_df": options.min_df,
                    "min_examples": options.min_examples, "prune": options.prune, "decimals": options.decimals,
                    "class_weight": "balanced", "max_iter": MAX_ITER},
        # the largest change pruning and rounding make to a training message's probability, any tag
        "largest_change": round(change, 6),
    }
    if manifest is not None:
        record["groups"] = [{"files": len(group.files), "labelled": sorted(group.labelled & set(tags))}
                            for group in manifest.groups]
        if manifest.concepts:
            # what the bot reads: a rule whose tag the model does not know is checked by the concept of its value
            record["concepts"] = {tag: list(names) for tag, names in manifest.concepts if tag in tags}
        if manifest.add_only:
            record["add_only"] = [tag for tag in manifest.add_only if tag in tags]  # added, never taken back
    return record
