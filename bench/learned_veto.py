"""Experiment, not product code: does a small learned model, trained on the labelled clinic and
school messages of tests/data, make the shipped rules more precise on messages nobody read?

    .venv/bin/pip install scikit-learn   # not a dependency of Siyu; only this experiment needs it
    .venv/bin/python bench/learned_veto.py [--test tagging_heldout11.jsonl] [--veto 0.1]

One logistic regression per tag of the reference taxonomy, on character 1-3-grams (TF-IDF,
sublinear), trained on every `tagging_*.jsonl` development set and the even lines of held-out 10.
Prints P / R / F1 on the test set for the shipped rules alone, the model alone (p > 0.5), and the
rules with each tag the model gives p < --veto dropped. Session 25 chose --veto 0.1 on the odd
lines of held-out 10 (rules 0.890 / 0.921 / 0.905, vetoed 0.929 / 0.921 / 0.925), then measured
held-out 11 once: rules 0.864 / 0.875 / 0.870, model 0.856 / 0.917 / 0.885, vetoed 0.897 / 0.875 / 0.886.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
sys.path.insert(0, str(REPO))

from bot.tagging import KeywordTagger, load_rules  # noqa: E402
from tagging import default_rules, load_corpus  # noqa: E402  (bench/tagging.py)

UNSEEN = frozenset({"tagging_heldout5.jsonl", "tagging_heldout10.jsonl", "tagging_heldout11.jsonl"})
MIN_EXAMPLES = 5  # a tag with fewer positive examples gets no model (and no veto)

Row = tuple[str, frozenset[str]]


def training_rows() -> list[Row]:
    found = [row for path in sorted(DATA.glob("tagging_*.jsonl")) if path.name not in UNSEEN
             for row in load_corpus(path)]
    return found + load_corpus(DATA / "tagging_heldout10.jsonl")[::2]


def scored(test: Sequence[Row], predicted: Sequence[set[str]]) -> str:
    tp = sum(len(gold & got) for (_, gold), got in zip(test, predicted, strict=True))
    fp = sum(len(got - gold) for (_, gold), got in zip(test, predicted, strict=True))
    fn = sum(len(gold - got) for (_, gold), got in zip(test, predicted, strict=True))
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return f"P {precision:.3f}  R {recall:.3f}  F1 {2 * precision * recall / max(precision + recall, 1e-9):.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", default="tagging_heldout11.jsonl", help="a file of tests/data")
    parser.add_argument("--odd", action="store_true", help="only the test file's odd lines (held-out 10)")
    parser.add_argument("--veto", type=float, default=0.1)
    args = parser.parse_args(argv)
    train, test = training_rows(), load_corpus(DATA / args.test)
    test = test[1::2] if args.odd else test
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    seen = vectors.fit_transform([text for text, _ in train])
    asked = vectors.transform([text for text, _ in test])
    chance: dict[str, list[float]] = {}
    for tag in sorted({tag for _, gold in train for tag in gold}):
        wanted = [tag in gold for _, gold in train]
        if sum(wanted) >= MIN_EXAMPLES:
            model = LogisticRegression(C=8, class_weight="balanced", max_iter=2000).fit(seen, wanted)
            chance[tag] = list(model.predict_proba(asked)[:, 1])
    tagger = KeywordTagger(load_rules(default_rules()))
    ruled = [{match.tag for match in tagger.tag(text)} for text, _ in test]
    print(f"{len(train)} training messages, {len(test)} test messages ({args.test}{', odd lines' if args.odd else ''})")
    print(f"  rules          {scored(test, ruled)}")
    print(f"  model > 0.5    {scored(test, [{t for t, p in chance.items() if p[i] > 0.5} for i in range(len(test))])}")
    vetoed = [{t for t in got if t not in chance or chance[t][i] >= args.veto} for i, got in enumerate(ruled)]
    print(f"  rules, veto < {args.veto}  {scored(test, vetoed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
