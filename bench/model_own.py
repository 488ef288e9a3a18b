"""What labelling some of your own messages buys: an operator's trade, its rules checked by a model trained
on the shipped recipe plus a labelled share of the trade's own messages.

    .venv/bin/python bench/model_own.py [--manifest rules/tags.model.toml] [--shares 2]
                                        [--veto-below 0.2] [--add-above 0.9] [--only TRADE ...]

For each of session 27's twenty training trades (tests/data/<trade>_dev.jsonl and <trade>_tags.toml), two
folds over its messages (even lines, odd lines): the product trainer (`bot.tagging.training`) trains the
manifest without the trade's group, once as it is (the shipped model a new operator gets) and once with
one half of the trade's messages as a `rules = "<trade>_tags.toml"` group, the trade's non-topic tags added
to the tags learned by name (each with min_examples positives in that half). The other half is tagged by
the trade's rules: alone, checked by the shipped model, by the own model (the trade's tags checked both
ways, the recipe's add_only as it is) and by the same model with the trade's tags add-only as well.
`--shares 2 4` also trains on a quarter (every other message of the labelled half), both ways.
Prints P / R / F1 per trade and micro over all, and one JSON line. Models are kept in var/model_own/
by a digest of their recipe, data and trainer (bench/model_cv.py's `trained`), so a rerun is cheap.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.model_cv import Score, fold_manifest, learnable, table, tagger_for, trade_name, trained  # noqa: E402
from bot.tagging.model import load_model, model_json  # noqa: E402
from bot.tagging.training import Manifest, Row, parse_manifest, read_rows  # noqa: E402

CACHE = REPO / "var" / "model_own"
DATA = REPO / "tests" / "data"
TRADES = ("carsales", "exam", "coffee", "clothing", "jewelry", "pharmacy", "spa", "electronics", "cinema",
          "bookstore", "english", "golf", "purifier", "hairloss", "nursery", "esports", "sportsgoods", "ticketing",
          "seafood", "chauffeur")


def own_tags(rules: Path) -> list[str]:
    """The rules file's non-topic keyword tags."""
    raw = tomllib.loads(rules.read_text(encoding="utf-8"))
    return list(dict.fromkeys(str(rule["tag"]) for rule in raw.get("keyword", [])
                              if rule.get("negatable", True) is not False))


def own_manifest(raw: dict[str, Any], path: Path, trade: str, labelled: Path) -> Manifest:
    """The manifest without the trade's group, plus `labelled` (the trade's labelled share) as a group of
    its rules file, its non-topic tags learned by name."""
    rules = DATA / f"{trade}_tags.toml"
    source = dict(raw)
    source["tags"] = list(dict.fromkeys([*raw["tags"], *own_tags(rules)]))
    source["data"] = [*raw["data"], {"files": [str(labelled)], "rules": str(rules)}]
    whole = parse_manifest(source, path)
    kept = tuple(group for group, written in zip(whole.groups, source["data"], strict=True)
                 if written.get("rules") != raw_rules(raw, trade))
    return learnable(whole, kept)


def raw_rules(raw: dict[str, Any], trade: str) -> str:
    """The shipped recipe's rules name of the trade's group."""
    return next(group["rules"] for group in raw["data"] if "rules" in group and trade_name(group) == trade)


def adding_only(model: Path, tags: Sequence[str]) -> Path:
    """The same model with `tags` (those it learned) added to its add_only: its weights, another check."""
    path = model.with_name(f"{model.stem}-adds.json")
    if not path.is_file():
        loaded = load_model(model)
        extra = [tag for tag in tags if loaded.index(tag) is not None]
        training = {**loaded.training, "add_only": sorted({*loaded.training.get("add_only", []), *extra})}
        path.write_text(model_json(dataclasses.replace(loaded, training=training)), encoding="utf-8")
    return path


def share_file(trade: str, rows: list[Row], fold: int, share: int) -> Path:
    """The labelled share of the trade's messages for `fold` (its held-out half is the other parity),
    written as JSON lines under var/model_own/data/."""
    half = rows[1 - fold::2]
    chosen = half[::share // 2]
    path = CACHE / "data" / f"{trade}_{fold}_{share}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"text": text, "tags": sorted(tags)}, ensure_ascii=False) + "\n"
                            for text, tags in chosen), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=REPO / "rules" / "tags.model.toml")
    parser.add_argument("--shares", type=int, nargs="+", default=[2], choices=[2, 4],
                        help="label 1/2 (and 1/4) of the trade's messages")
    parser.add_argument("--veto-below", type=float, default=0.2)
    parser.add_argument("--add-above", type=float, default=0.9)
    parser.add_argument("--only", nargs="+", default=[], metavar="TRADE", help="these trades only")
    args = parser.parse_args(argv)
    path = args.manifest.resolve()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    trades = [trade for trade in TRADES if not args.only or trade in args.only]
    variants = ["rules", "shipped", *(f"own 1/{share}{how}" for share in args.shares for how in ("", " adds"))]
    scores = {(trade, variant): Score() for trade in trades for variant in variants}
    for trade in trades:
        rules = DATA / f"{trade}_tags.toml"
        rows = read_rows(DATA / f"{trade}_dev.jsonl")
        models: dict[str, Path | None] = {"rules": None, "shipped": trained(fold_manifest(raw, path, {trade}, False),
                                                                             CACHE)}
        for fold in (0, 1):
            for share in args.shares:
                model = trained(own_manifest(raw, path, trade, share_file(trade, rows, fold, share)), CACHE)
                models[f"own 1/{share}"] = model
                models[f"own 1/{share} adds"] = adding_only(model, [tag for tag in own_tags(rules)
                                                                    if tag not in raw["tags"]])
            for variant in variants:
                tagger = tagger_for(rules, models[variant], args.veto_below, args.add_above)
                for text, gold in rows[fold::2]:
                    scores[trade, variant].add(gold, {match.tag for match in tagger.tag(text)})
        print(f"{trade} done", file=sys.stderr, flush=True)
    result = {"veto_below": args.veto_below, "add_above": args.add_above, **table(scores, trades, variants, 22)}
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
