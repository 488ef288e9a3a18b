"""The learned check (`[model]`): the pure-Python reading equals scikit-learn's, the shipped model takes
back a rule's false positive and keeps true tags, and a rules file's `[model]` problems are named."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from bot.tagging.explain import explain
from bot.tagging.keywords import KeywordTagger
from bot.tagging.model import load_model, model_json, ngrams
from bot.tagging import rules
from bot.tagging.rules import RulesError, load_rules, parse_rules
from bot.tagging.training import Options, read_rows, train
from tests.support.tagging import SHIPPED, tags

DATA = Path(__file__).resolve().parents[1] / "data"
NOISE = "家里装修太吵了，想找个地方安静一下"  # the neighbours' building work, no complaint about the shop


def test_the_ngrams_are_read_from_the_message_as_the_tagger_folds_it() -> None:
    assert sorted(ngrams("ＴＤ預約", 3)) == sorted(["t", "d", "预", "约", "td", "d预", "预约", "td预", "d预约"])
    assert ngrams("", 3) == [] and ngrams("好", 3) == ["好"]


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


def test_a_model_read_from_its_cache_reads_the_same_floats_as_its_file(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from bot.tagging import model as model_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a cache of this test's own
    model_module._load.cache_clear()
    parsed = load_model(SHIPPED.parent / "tags.model.json")  # from the JSON; writes the cache
    assert list(tmp_path.glob("siyu-jieba/tag-model-*-columns.marshal"))
    model_module._load.cache_clear()
    cached = load_model(SHIPPED.parent / "tags.model.json")
    model_module._load.cache_clear()
    assert cached is not parsed and cached.digest == parsed.digest and cached.tags == parsed.tags
    picked = (4, 0, 2)
    assert cached.columns(picked) == parsed.columns(picked) and cached.columns(()) == parsed.columns(())
    assert dict(cached.rows) == dict(parsed.rows) and dict(cached.terms) == dict(parsed.terms)
    for text in ("做完第二天脸有点肿，正常吗", "能退款吗？我不想上了", "", "嗯嗯嗯好的好的"):
        indexes = range(len(parsed.tags))
        assert cached.chances(text, indexes) == parsed.chances(text, indexes)
        assert cached.evidence(text, 1) == parsed.evidence(text, 1)


def test_several_tags_of_one_message_read_in_one_pass_are_each_tags_own_chance() -> None:
    model = load_model(SHIPPED.parent / "tags.model.json")
    text = "做完水光针第二天脸有点肿，多少钱能退"
    together = model.chances(text, range(len(model.tags)))
    assert together == {index: model.chance(text, tag) for index, tag in enumerate(model.tags)}


def test_the_shipped_model_takes_back_a_rules_false_positive_and_keeps_true_tags(tagger: KeywordTagger) -> None:
    assert tags(tagger, NOISE) == set()
    dropped = tagger.tag_checked(NOISE).dropped
    assert [(match.tag, chance < 0.2) for match, chance in dropped] == [("诉求:投诉", True)]
    assert tags(tagger, "做完水光针第二天脸有点肿，正常吗") == {"术后:不适", "项目:水光针"}
    assert tags(tagger, "我想问一下明天下午三点还能约吗") == {"意向:预约"}
    assert tags(tagger, "孩子下周三要去春游，课就不上了") == {"课程:请假"}


def rules_with(model: str, rule: str = "", folder: Path = SHIPPED.parent) -> KeywordTagger:
    text = f'{model}\n[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["太吵了"]\n{rule}'
    return KeywordTagger(parse_rules(text, source="test.toml", base=folder))


def test_a_rule_with_model_false_is_never_checked_and_another_tags_model_can_check_it() -> None:
    shipped = '[model]\nfile = "tags.model.json"'
    assert tags(rules_with(shipped), NOISE) == set()
    assert tags(rules_with(shipped, "model = false"), NOISE) == {"诉求:投诉"}
    assert tags(rules_with("[model]\nenabled = false"), NOISE) == {"诉求:投诉"}  # the rules alone
    # A shop that calls its complaints 售后:不满 checks them with the 诉求:投诉 model.
    renamed = parse_rules(f'{shipped}\n[[keyword]]\ntag = "售后:不满"\nkeywords = ["太吵了"]\nmodel = "诉求:投诉"\n',
                          source="test.toml", base=SHIPPED.parent)
    assert tags(KeywordTagger(renamed), NOISE) == set()
    assert tags(rules_with(f"{shipped}\nveto_below = 0"), NOISE) == {"诉求:投诉"}


def test_the_explanation_says_the_model_took_the_tag_back(tagger: KeywordTagger) -> None:
    (_, chance), = tagger.tag_checked(NOISE).dropped
    decisions = [d for d in explain(tagger, NOISE).decisions if d.tag == "诉求:投诉"]
    assert decisions and not any(d.counted for d in decisions)
    assert f"模型判断可能性 {chance:.2f}，低于 0.20，未打标签" in decisions[0].why


LEFTOVER = "孩子不想学了，剩下的课时费怎么处理"  # money back for lessons not taken: no refund keyword says so


def test_the_shipped_model_adds_a_tag_no_keyword_gave_and_says_why(tagger: KeywordTagger) -> None:
    assert tags(tagger, LEFTOVER) == {"诉求:退款"}
    (match, chance), = tagger.tag_checked(LEFTOVER).added
    assert match.tag == "诉求:退款" and chance > 0.9 and match.matched[0] == "剩下"  # the words that weighed most
    decisions = [d for d in explain(tagger, LEFTOVER).decisions if d.tag == "诉求:退款"]
    assert [d.counted for d in decisions] == [True]
    assert f"模型判断可能性 {chance:.2f}，高于 0.90，补打标签（依据：{'、'.join(match.matched)}）" in decisions[0].why
    # add_above = 1: never added
    shipped = SHIPPED.read_text(encoding="utf-8").replace("add_above = 0.9", "add_above = 1")
    assert "诉求:退款" not in tags(KeywordTagger(parse_rules(shipped, source=str(SHIPPED))), LEFTOVER)


def test_an_added_tag_keeps_to_its_exclusive_group_and_yields_to_a_tag_given() -> None:
    head = '[model]\nfile = "tags.model.json"\n'
    child = '[[keyword]]\ntag = "家长:孩子"\nkeywords = ["孩子"]\nmodel = false\n'
    money = '[[keyword]]\ntag = "家长:退钱"\nkeywords = ["退钱"]\nmodel = "诉求:退款"\n'

    def tagged(text: str) -> set[str]:
        return tags(KeywordTagger(parse_rules(text, source="test.toml", base=SHIPPED.parent)), LEFTOVER)

    assert tagged(head + money) == {"家长:退钱"}
    assert tagged(head + child + money) == {"家长:孩子", "家长:退钱"}
    assert tagged('exclusive_groups = ["家长"]\n' + head + child + money) == {"家长:孩子"}  # the rules' own stands
    assert tagged(head + child + money + 'yield_to = ["家长:孩子"]\n') == {"家长:孩子"}


def test_the_opt_out_is_never_taken_back_but_a_rule_checked_as_it_is() -> None:
    head = '[model]\nfile = "tags.model.json"\n'
    opt_out = parse_rules(f'{head}[[keyword]]\ntag = "状态:退订"\nkeywords = ["太吵了"]\n',
                          source="test.toml", base=SHIPPED.parent)
    assert opt_out.model is not None and opt_out.model.model.chance(NOISE, "状态:退订") < 0.2
    assert tags(KeywordTagger(opt_out), NOISE) == {"状态:退订"}
    other = parse_rules(f'{head}[[keyword]]\ntag = "状态:不发"\nkeywords = ["太吵了"]\nmodel = "状态:退订"\n',
                        source="test.toml", base=SHIPPED.parent)
    assert tags(KeywordTagger(other), NOISE) == set()


def test_a_topic_rule_is_not_checked_unless_it_asks() -> None:
    head = '[model]\nfile = "tags.model.json"\n'
    topic = '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["太吵了"]\nnegatable = false\n'

    def tagged(text: str) -> set[str]:
        return tags(KeywordTagger(parse_rules(text, source="test.toml", base=SHIPPED.parent)), NOISE)

    assert tagged(head + topic) == {"诉求:投诉"}
    assert tagged(head + topic + "model = true\n") == set()


def test_enabled_false_turns_the_learned_check_off() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8").replace("\n[model]\n", "\n[model]\nenabled = false\n")
    rules = parse_rules(shipped, source=str(SHIPPED))
    assert rules.model is None and tags(KeywordTagger(rules), NOISE) == {"诉求:投诉"}


@pytest.mark.parametrize(("model", "rule", "problem"), [
    ('[model]\nfile = "missing.json"', "", "test.toml: model.file: cannot read"),
    ('[model]\nfile = "broken.json"', "", "test.toml: model.file: "),
    ('[model]\nfile = "other.json"', "", "is not a siyu-tag-model file"),
    ('[model]\nfile = "tags.model.json"\nveto_below = 1', "", "test.toml: model.veto_below: "),
    ('[model]\nfile = "tags.model.json"\nveto_below = -0.1', "", "test.toml: model.veto_below: "),
    ('[model]\nfile = "tags.model.json"\nveto = 0.2', "", "test.toml: model.veto: unknown key"),
    ('[model]\nfile = "tags.model.json"\nadd_above = 0.5', "", "test.toml: model.add_above: "),
    ('[model]\nfile = "tags.model.json"\nadd_above = 1.1', "", "test.toml: model.add_above: "),
    ('[model]\nfile = "tags.model.json"', 'model = "售后:不满"',
     "test.toml: keyword[0] (诉求:投诉).model: tags.model.json has no model of tag '售后:不满'"),
    ("[model]\nenabled = false", 'model = "售后:不满"',
     "test.toml: keyword[0] (诉求:投诉).model: names a model's tag, but the file's [model] is off"),
])
def test_a_bad_model_table_is_a_rules_error_naming_the_file_and_key(tmp_path: Path, model: str, rule: str,
                                                                    problem: str) -> None:
    (tmp_path / "tags.model.json").write_bytes((SHIPPED.parent / "tags.model.json").read_bytes())
    (tmp_path / "broken.json").write_text('{"format": "siyu-tag-', encoding="utf-8")
    (tmp_path / "other.json").write_text(json.dumps({"tags": []}), encoding="utf-8")
    with pytest.raises(RulesError) as raised:
        rules_with(model, rule, tmp_path)
    assert any(problem in error for error in raised.value.errors), raised.value.errors


# An operator's own file, written from the docs without a [model] table: the shipped model checks the
# rules whose tags it knows by name, and `enabled = false` is the rules alone.
OPERATOR = """
[[keyword]]
tag = "意向:预约"
keywords = ["预约", "约个时间"]

[[keyword]]
tag = "诉求:退款"
keywords = ["退款", "退钱"]

[[keyword]]
tag = "售后:问题"
keywords = ["坏了"]
"""


@pytest.mark.shipped_model
def test_an_operators_file_without_a_model_table_is_checked_by_the_shipped_model(tmp_path: Path) -> None:
    path = tmp_path / "shop_tags.toml"
    path.write_text(OPERATOR, encoding="utf-8")
    checked = KeywordTagger(load_rules(path))
    assert checked.rules.model is not None and checked.rules.model.path == str(rules.SHIPPED_MODEL)
    assert tags(checked, "钱什么时候打回我卡上，不想再等了") == {"诉求:退款"}  # no keyword; the model is sure
    assert tags(checked, "大门的锁坏了，师傅明天能来吗") >= {"售后:问题"}  # a common trade tag: added, never taken back
    path.write_text(OPERATOR + "\n[model]\nenabled = false\n", encoding="utf-8")
    alone = KeywordTagger(load_rules(path))
    assert alone.rules.model is None and tags(alone, "钱什么时候打回我卡上，不想再等了") == set()


@pytest.mark.shipped_model
def test_without_the_shipped_model_an_operators_file_still_loads(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "SHIPPED_MODEL", tmp_path / "gone.json")
    path = tmp_path / "shop_tags.toml"
    path.write_text(OPERATOR, encoding="utf-8")
    assert load_rules(path).model is None  # a warning in the log, the rules alone
