"""Cross-validation of the learned check on operators' own rules: does the model's knowing common trade
tags (a manifest's [concepts], matched by the name after the colon) help trades it never saw?

    .venv/bin/python bench/model_cv.py [--manifest rules/tags.model.toml] [--folds 5]
                                       [--veto-below 0.2] [--add-above 0.9] [--only TRADE ...]

The trades are the manifest's `rules = "X_tags.toml"` groups (each operator trade's rules file and its
labelled messages). Five folds leave trades out (sorted by name, every fifth to a fold): for each fold
the product trainer (`bot.tagging.training`) trains on the manifest without that fold's trades, twice:
as today (the reference tags only, no [concepts]: a trade's tag is checked only by a model tag of its
full name) and with the manifest's concepts. Each held-out trade's messages are tagged by its own
rules: alone ([model] enabled = false), with today's model, with the concepts model (the thresholds
given). Prints P / R / F1 per trade and micro over all, what each model tag's check did with the
concepts (additions and take-backs, right and wrong), and one JSON line. Trained fold models are
kept in var/model_cv/, named by a digest of their recipe, data and trainer, so a second run trains
only what changed (6-10 s a model on a 2-core machine).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.tagging import KeywordTagger, parse_rules  # noqa: E402
from bot.tagging.model import model_json  # noqa: E402
from bot.tagging.training import Group, Manifest, parse_manifest, read_rows, train_manifest  # noqa: E402

CACHE = REPO / "var" / "model_cv"
# The reference taxonomy's 13 tags: what today's check (by full name) knows.
REFERENCE = ("关注:价格", "意向:转介绍", "意向:预约", "术后:不适", "状态:退订", "诉求:投诉", "诉求:退款", "课程:咨询",
             "课程:请假", "项目:光子嫩肤", "项目:水光针", "项目:热玛吉", "项目:玻尿酸")
VARIANTS = ("rules", "today", "concepts")
LOWER_VETOES = (0.05, 0.1)


def trade_name(group: dict[str, Any]) -> str:
    return Path(group["rules"]).name.removesuffix("_tags.toml")


def fold_manifest(raw: dict[str, Any], path: Path, left_out: set[str], today: bool) -> Manifest:
    """The manifest without the left-out trades' groups (as today: reference tags, no concepts); a tag
    that the rest have fewer than min_examples positives of is not learned in this fold."""
    source = dict(raw)
    if today:
        source.pop("concepts", None)
        source.pop("add_only", None)
        source["tags"] = [tag for tag in raw["tags"] if tag in REFERENCE]
    whole = parse_manifest(source, path)
    return learnable(whole, tuple(group for group, written in zip(whole.groups, source["data"], strict=True)
                                  if "rules" not in written or trade_name(written) not in left_out))


def learnable(whole: Manifest, groups: tuple[Group, ...]) -> Manifest:
    """`whole` on `groups` only, learning the tags these have at least min_examples positives of."""
    counts: Counter[str] = Counter()
    for group in groups:
        for file in group.files:
            for _, tags in read_rows(file):
                counts.update(group.carried(tags) & set(whole.tags))
    learned = tuple(tag for tag in whole.tags if counts[tag] >= whole.options.min_examples)
    return Manifest(whole.options, learned, groups, tuple(item for item in whole.concepts if item[0] in learned),
                    tuple(tag for tag in whole.add_only if tag in learned))


def trained(manifest: Manifest, cache: Path = CACHE) -> Path:
    """The fold's model file, trained by the product trainer unless a model of the same recipe is kept."""
    recipe = hashlib.sha256()
    recipe.update(repr((manifest.options, manifest.tags, manifest.concepts, manifest.add_only)).encode())
    for group in manifest.groups:
        recipe.update(repr((sorted(group.labelled), group.sources)).encode())
        for file in group.files:
            recipe.update(hashlib.sha256(file.read_bytes()).digest())
    recipe.update((REPO / "bot" / "tagging" / "training.py").read_bytes())
    path = cache / f"{recipe.hexdigest()[:20]}.json"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(model_json(train_manifest(manifest)), encoding="utf-8")
    return path


def tagger_for(rules: Path, model: Path | None, veto_below: float, add_above: float) -> KeywordTagger:
    """The trade's own rules, checked by `model` (None: the rules alone)."""
    text = rules.read_text(encoding="utf-8")
    table = ("\n[model]\nenabled = false\n" if model is None else
             f"\n[model]\nfile = {json.dumps(str(model))}\nveto_below = {veto_below}\nadd_above = {add_above}\n")
    return KeywordTagger(parse_rules(text + table, source=str(rules)))


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, gold: frozenset[str], got: set[str]) -> None:
        self.tp += len(gold & got)
        self.fp += len(got - gold)
        self.fn += len(gold - got)

    @classmethod
    def total(cls, scores: Iterable[Score]) -> Score:
        """The micro-average's counts: every score's pairs together."""
        total = cls()
        for score in scores:
            total.tp, total.fp, total.fn = total.tp + score.tp, total.fp + score.fp, total.fn + score.fn
        return total

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


def table(scores: dict[tuple[str, str], Score], trades: Sequence[str], variants: Sequence[str], width: int = 24
          ) -> dict[str, Any]:
    """Prints each trade's and the micro-averaged P / R / F1 of each variant (a column `width` wide), and
    returns them for the JSON line: {"trades": {trade: {variant: F1}}, "micro": {variant: [P, R, F1]}}."""
    print(f"{'trade':<14}" + "".join(f"{variant + ' P/R/F1':>{width}}" for variant in variants))
    result: dict[str, Any] = {"trades": {}, "micro": {}}
    for trade in trades:
        cells = [scores[trade, variant].prf() for variant in variants]
        print(f"{trade:<14}" + "".join(f"{p:>{width - 14}.3f}{r:>7.3f}{f:>7.3f}" for p, r, f in cells))
        result["trades"][trade] = {variant: round(cell[2], 4) for variant, cell in zip(variants, cells, strict=True)}
    micro = [Score.total(scores[trade, variant] for trade in trades).prf() for variant in variants]
    print(f"{'micro':<14}" + "".join(f"{p:>{width - 14}.3f}{r:>7.3f}{f:>7.3f}" for p, r, f in micro))
    result["micro"] = {variant: [round(value, 4) for value in cell]
                       for variant, cell in zip(variants, micro, strict=True)}
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=REPO / "rules" / "tags.model.toml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--veto-below", type=float, default=0.2, help="the concepts model's [model] veto_below")
    parser.add_argument("--add-above", type=float, default=0.9, help="the concepts model's [model] add_above")
    parser.add_argument("--only", nargs="+", default=[], metavar="TRADE", help="score these trades only")
    args = parser.parse_args(argv)
    path = args.manifest.resolve()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = {trade_name(group): group for group in raw["data"] if "rules" in group}
    trades = sorted(groups)
    scores = {(trade, variant): Score() for trade in trades for variant in VARIANTS}
    # per model tag, with the concepts: the check's additions and take-backs, right and wrong
    checks: dict[str, Counter[str]] = {}
    for fold in range(args.folds):
        left_out = {trade for number, trade in enumerate(trades) if number % args.folds == fold}
        if args.only and not left_out & set(args.only):
            continue
        models = {"today": trained(fold_manifest(raw, path, left_out, today=True)),
                  "concepts": trained(fold_manifest(raw, path, left_out, today=False))}
        for trade in sorted(left_out):
            if args.only and trade not in args.only:
                continue
            rules = path.parent / groups[trade]["rules"]
            rows = [row for name in groups[trade]["files"] for row in read_rows(path.parent / name)]
            for variant in VARIANTS:
                tagger = tagger_for(rules, models.get(variant), 0.2 if variant == "today" else args.veto_below,
                                    0.9 if variant == "today" else args.add_above)
                # the model tag that checked each rule, with ~ where it is the concept of the rule's value
                checked_as = {rule.rule_id: f"{rule.model}~" if isinstance(rule.model, str) and rule.model != rule.tag
                              else rule.tag for rule in tagger.rules.keyword_rules}
                for text, gold in rows:
                    got, dropped, added = tagger.tag_checked(text)
                    scores[trade, variant].add(gold, {match.tag for match in got})
                    if variant != "concepts":
                        continue
                    for match, _ in added:
                        checks.setdefault(checked_as[match.rule], Counter())[
                            "added right" if match.tag in gold else "added wrong"] += 1
                    for match, chance in dropped:
                        count = checks.setdefault(checked_as[match.rule], Counter())
                        count["dropped wrong" if match.tag in gold else "dropped right"] += 1
                        for lower in LOWER_VETOES:  # what a lower veto_below would have dropped
                            if chance < lower:
                                count[f"dropped {'wrong' if match.tag in gold else 'right'} below {lower}"] += 1
        print(f"fold {fold + 1}/{args.folds}: {', '.join(sorted(left_out))}", file=sys.stderr, flush=True)
    shown = [trade for trade in trades if not args.only or trade in args.only]
    result: dict[str, Any] = {"folds": args.folds, "veto_below": args.veto_below, "add_above": args.add_above,
                              **table(scores, shown, VARIANTS), "checks": {}}
    print("\nwith the concepts, what each model tag's check did (added right / wrong, dropped false / true tags;"
          " and false / true tags a lower veto_below would have dropped; ~: rules checked by the concept of their"
          " tag's value):")
    for tag in sorted(checks):
        count = checks[tag]
        print(f"  {tag:<11} +{count['added right']:<4} -{count['added wrong']:<4}"
              f" dropped false {count['dropped right']:<4} dropped true {count['dropped wrong']:<4}" + "".join(
                  f"  below {lower}: {count[f'dropped right below {lower}']} / {count[f'dropped wrong below {lower}']}"
                  for lower in LOWER_VETOES))
        result["checks"][tag] = dict(sorted(count.items()))
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
