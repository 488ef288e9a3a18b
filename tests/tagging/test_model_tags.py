"""Which model tag checks a rule (`bot.tagging.model_tags`): its own name, else the concept of the name after
its colon (an operator's 售后:质量 by the model's 售后:问题), both ways; never a topic; `model = ...` wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main as siyu
from bot.tagging import rules
from bot.tagging.explain import explain
from bot.tagging.keywords import KeywordTagger
from bot.tagging.model import load_model
from bot.tagging.model_tags import model_tag, value_name
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

# A model written by hand so its chances are plain: 坏 says 售后:问题 (p ~ 1), 好 says not (p ~ 0); it
# learned 售后:问题 as the concept of operators' tags named …:问题 or …:质量.
TINY = {"format": "siyu-tag-model", "version": 1, "ngrams": [1, 3], "tags": ["售后:问题", "意向:预约"],
        "intercepts": [0.0, -9.0], "training": {"concepts": {"售后:问题": ["问题", "质量"], "意向:预约": ["预约"]}},
        "vocabulary": {"坏": [1.0, [[0, 12.0]]], "好": [1.0, [[0, -12.0]]]}}
BROKEN = "东西坏了"  # no keyword of the rules below; the model is sure
FINE = "这次质量好"  # 质量 is the rule's keyword; the model is sure it is no problem


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "tiny.model.json").write_text(json.dumps(TINY, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def tagger(folder: Path, rule: str) -> KeywordTagger:
    text = f'[model]\nfile = "tiny.model.json"\n[[keyword]]\ntag = "售后:质量"\nkeywords = ["质量"]\n{rule}'
    return KeywordTagger(parse_rules(text, source=str(folder / "shop_tags.toml")))


def test_a_tag_the_model_does_not_know_is_checked_by_the_concept_of_its_value_both_ways(folder: Path) -> None:
    checked = tagger(folder, "")
    assert [rule.model for rule in checked.rules.keyword_rules] == ["售后:问题"]
    assert tags(checked, BROKEN) == {"售后:质量"}  # added
    assert tags(checked, FINE) == set()  # taken back
    assert [match.tag for match, _ in checked.tag_checked(FINE).dropped] == ["售后:质量"]


def test_a_rule_checked_by_an_add_only_model_tag_is_added_but_never_taken_back(folder: Path) -> None:
    adding = dict(TINY, training=dict(TINY["training"], add_only=["售后:问题"]))
    (folder / "tiny.model.json").write_text(json.dumps(adding, ensure_ascii=False), encoding="utf-8")
    checked = tagger(folder, "")
    assert [rule.model_adds_only for rule in checked.rules.keyword_rules] == [True]
    assert tags(checked, BROKEN) == {"售后:质量"} and tags(checked, FINE) == {"售后:质量"}
    assert tags(tagger(folder, 'model = "售后:问题"\n'), FINE) == set()  # named by the rule: both ways


def test_a_topic_is_never_checked_by_a_concept(folder: Path) -> None:
    topic = tagger(folder, "negatable = false\n")
    assert tags(topic, BROKEN) == set() and tags(topic, FINE) == {"售后:质量"}
    assert tags(tagger(folder, "negatable = false\nmodel = true\n"), FINE) == {"售后:质量"}  # own name only


def test_an_explicit_model_still_wins(folder: Path) -> None:
    assert tags(tagger(folder, "model = false\n"), BROKEN) == set()
    assert tags(tagger(folder, "model = false\n"), FINE) == {"售后:质量"}
    named = tagger(folder, 'model = "意向:预约"\n')  # never above 0.9 nor below 0.2 where 好 is absent
    assert [rule.model for rule in named.rules.keyword_rules] == ["意向:预约"] and tags(named, BROKEN) == set()


def test_a_model_without_concepts_checks_by_name_only(folder: Path) -> None:
    plain = dict(TINY, training={})
    (folder / "tiny.model.json").write_text(json.dumps(plain, ensure_ascii=False), encoding="utf-8")
    checked = tagger(folder, "")
    assert [rule.model for rule in checked.rules.keyword_rules] == [True]
    assert tags(checked, BROKEN) == set() and tags(checked, FINE) == {"售后:质量"}


def test_the_mapping_reads_the_name_after_the_last_colon(folder: Path) -> None:
    model = load_model(folder / "tiny.model.json")
    assert value_name("售后:质量") == "质量" and value_name("a:b:问题") == "问题" and value_name("质量") == "质量"
    assert model_tag("售后:问题", model) == "售后:问题" and model_tag("配送:质量", model) == "售后:问题"
    assert model_tag("意向:预约", model) == "意向:预约" and model_tag("咨询:档期", model) is None


def test_explanations_say_which_model_tag_checked_the_rule(folder: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    checked = tagger(folder, "")
    said = {decision.rule: decision.why for decision in explain(checked, BROKEN).decisions if decision.counted}
    assert "按模型的「售后:问题」判断" in said["keyword:售后:质量"]
    taken = [decision.why for decision in explain(checked, FINE).decisions if not decision.counted]
    assert taken and all("按模型的「售后:问题」判断" in why for why in taken)
    rules_file = folder / "shop_tags.toml"
    rules_file.write_text('[model]\nfile = "tiny.model.json"\n[[keyword]]\ntag = "售后:质量"\nkeywords = ["质量"]\n',
                          encoding="utf-8")
    assert siyu(["tag", "--rules", str(rules_file), BROKEN]) == 0
    assert siyu(["tag", "--rules", str(rules_file), FINE]) == 0
    out = capsys.readouterr().out
    assert out.count("（按模型的「售后:问题」判断）") == 2, out


@pytest.mark.shipped_model
def test_the_shipped_model_checks_an_operators_after_sales_tags_by_its_concept(tmp_path: Path) -> None:
    path = tmp_path / "shop_tags.toml"
    path.write_text('[[keyword]]\ntag = "售后:问题"\nkeywords = ["坏了"]\n[[keyword]]\ntag = "配送:质量"\n'
                    'keywords = ["质量"]\n[[keyword]]\ntag = "项目:问题"\nkeywords = ["问题"]\nnegatable = false\n'
                    '[[keyword]]\ntag = "物流:催货"\nkeywords = ["催货"]\n'
                    '[[keyword]]\ntag = "会员:续卡"\nkeywords = ["续卡"]\n',
                    encoding="utf-8")
    loaded = rules.load_rules(path)
    assert loaded.model is not None and loaded.model.path == str(rules.SHIPPED_MODEL)
    assert [(rule.model, rule.model_adds_only) for rule in loaded.keyword_rules] == [
        ("售后:问题", True), ("售后:问题", True), (False, False), ("进度:催单", True), ("会员:续费", True)]
    checked = KeywordTagger(loaded)
    # no keyword of theirs; the model is sure (the common trade tags only add: docs/tagging.md)
    assert tags(checked, "买的鞋穿了两天就开胶了") == {"售后:问题", "配送:质量"}
    assert tags(checked, "我的快递到哪了，三天了还没发货") == {"物流:催货"}
    assert tags(checked, "卡里钱快用完了，怎么续") == {"会员:续卡"}
