"""The learned check (`[model]`): the pure-Python reading equals scikit-learn's."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bot.tagging.model import load_model, model_json, ngrams
from bot.tagging.training import Options, read_rows, train

DATA = Path(__file__).resolve().parents[1] / "data"


def test_the_models_chances_are_scikit_learns_on_messages_it_never_saw(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = DATA / "tagging_dev.jsonl"
    path = tmp_path / "exact.model.json"
    path.write_text(model_json(train([data], Options(prune=0, decimals=None))), encoding="utf-8")
    model = load_model(path)
    rows = read_rows(data)
    vectors = TfidfVectorizer(analyzer=partial(ngrams, longest=3), min_df=2, sublinear_tf=True)
    seen = vectors.fit_transform([text for text, _ in rows])
    fresh = [text for text, _ in read_rows(DATA / "tagging_dev2.jsonl")] + ["", "ＴＤ", "預約", "嗯"]
    asked = vectors.transform(fresh)
    for tag in model.tags:
        fitted = LogisticRegression(C=8, class_weight="balanced", max_iter=2000)
        expected = fitted.fit(seen, [tag in gold for _, gold in rows]).predict_proba(asked)[:, 1]
        worst = max(abs(model.chance(text, tag) - want) for text, want in zip(fresh, expected, strict=True))
        assert worst < 1e-9, tag
