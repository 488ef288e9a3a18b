"""Loading and validating the tag rule pack; behaviour rules over customer metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tagging.rules import METRIC_NAMES, RulesError, load_rules, parse_rules

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "tags.toml"

TAXONOMY = {
    "意向:预约", "关注:价格", "术后:不适", "诉求:投诉", "诉求:退款", "课程:咨询", "课程:请假",
    "意向:转介绍", "状态:退订", "项目:水光针", "项目:热玛吉", "项目:玻尿酸", "项目:光子嫩肤",
}  # fmt: skip


def errors_of(text: str, source: str = "rules/tags.toml") -> list[str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, source=source)
    return caught.value.errors


def test_shipped_pack_covers_the_reference_taxonomy() -> None:
    rules = load_rules(SHIPPED)
    tags = {rule.tag for rule in rules.keyword_rules}
    assert TAXONOMY <= tags
    assert "状态:订阅" in tags
    assert {"高价值", "沉睡客户", "新客"} <= {rule.tag for rule in rules.behaviour_rules}
    topics = {rule.tag: rule.negatable for rule in rules.keyword_rules if rule.group == "项目"}
    assert topics and not any(topics.values())


def test_version_follows_the_text() -> None:
    text = '[[keyword]]\ntag = "a:b"\nkeywords = ["x"]\n'
    assert parse_rules(text).version == parse_rules(text).version
    assert parse_rules(text).version != parse_rules(text + "# edited\n").version


def test_group_defaults_to_the_part_before_the_colon() -> None:
    rules = parse_rules(
        '[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约"]\n'
        '[[keyword]]\ntag = "VIP"\ngroup = "客户"\nkeywords = ["vip"]\n'
    )
    assert [(r.group, r.rule_id) for r in rules.keyword_rules] == [
        ("意向", "keyword:意向:预约"), ("客户", "keyword:VIP")]


def test_synonyms_and_vocab_expand_into_keywords() -> None:
    rules = parse_rules(
        '[vocab]\n"亲友" = ["朋友", "同事"]\n'
        '[[keyword]]\ntag = "意向:转介绍"\nkeywords = ["{亲友}也想"]\nsynonyms = ["带*{亲友}"]\nexpand = false\n'
    )  # expand = false: the 转介绍 concept group would add its own forms
    assert rules.keyword_rules[0].keywords == ("朋友也想", "同事也想", "带*朋友", "带*同事")


def test_error_names_file_rule_and_field() -> None:
    errors = errors_of(
        '[[keyword]]\ntag = "关注:价格"\nkeywords = ["价格"]\n'
        '[[keyword]]\ntag = "意向:预约"\nkeywords = []\n'
    )
    assert len(errors) == 1
    assert errors[0].startswith("rules/tags.toml: keyword[1] (意向:预约).keywords: ")


def test_every_error_is_reported_not_only_the_first() -> None:
    errors = errors_of(
        '[[keyword]]\ntag = "a:b"\nkeywords = "not a list"\n'
        '[[keyword]]\ntag = "c:d"\nkeywords = ["ok"]\nnegatable = "maybe"\n'
        '[[behaviour]]\ntag = "高价值"\nwhen = "spend_365d >"\n'
    )
    assert len(errors) == 3
    assert "keyword[0] (a:b).keywords" in errors[0]
    assert "keyword[1] (c:d).negatable" in errors[1]
    assert "behaviour[0] (高价值).when" in errors[2]


def test_unknown_keys_are_rejected() -> None:
    errors = errors_of('[[keyword]]\ntag = "a:b"\nkeywords = ["x"]\nkeywrods = ["y"]\n[extra]\nx = 1\n')
    assert any("unknown section 'extra'" in e for e in errors)
    assert any("keyword[0] (a:b).keywrods: unknown key" in e for e in errors)


@pytest.mark.parametrize(
    ("word", "problem"),
    [("", "empty word"), ("  ", "empty word"), ("*发", "'*' must sit between"), ("别**发", "'*' must sit between")],
)
def test_malformed_keywords_are_rejected(word: str, problem: str) -> None:
    errors = errors_of(f'[[keyword]]\ntag = "a:b"\nkeywords = ["ok", "{word}"]\n')
    assert "keyword[0] (a:b).keywords[1]" in errors[0] and problem in errors[0]


def test_unknown_vocab_reference_is_rejected() -> None:
    errors = errors_of('[[keyword]]\ntag = "a:b"\nkeywords = ["{亲戚}也想"]\n')
    assert "keyword[0] (a:b).keywords[0]" in errors[0] and "unknown vocab '亲戚'" in errors[0]


def test_yield_to_must_name_a_keyword_tag() -> None:
    errors = errors_of('[[keyword]]\ntag = "课程:咨询"\nkeywords = ["课程"]\nyield_to = ["课程:请病假"]\n')
    assert errors == ["rules/tags.toml: keyword[0] (课程:咨询).yield_to: no keyword rule tags '课程:请病假'"]


def test_duplicate_tag_is_rejected() -> None:
    errors = errors_of('[[keyword]]\ntag = "a:b"\nkeywords = ["x"]\n[[keyword]]\ntag = "a:b"\nkeywords = ["y"]\n')
    assert errors == ["rules/tags.toml: keyword[1] (a:b).tag: already defined by keyword[0]"]


@pytest.mark.parametrize(
    ("text", "line"),
    [('[[keyword]]\ntag = 意向:预约\nkeywords = ["x"]\n', "line 2"), ('[[keyword]]\nkeywords = ["x"\n\n', "line 4")],
)
def test_toml_syntax_error_names_file_and_line(text: str, line: str) -> None:
    errors = errors_of(text, source="pack.toml")
    assert errors[0].startswith("pack.toml: invalid TOML") and line in errors[0]


def test_missing_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nope.toml")


def test_load_rules_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "tags.toml"
    path.write_text('[[keyword]]\ntag = "a:b"\nkeywords = []\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(f"{path}: keyword[0] (a:b).keywords")


@pytest.mark.parametrize("when", ["purchases_90d >=", "spend_365d > 5000 and", "stage ==== 'x'", "(messages_7d"])
def test_behaviour_syntax_error_is_a_load_error(when: str) -> None:
    errors = errors_of(f'[[behaviour]]\ntag = "高价值"\nwhen = "{when}"\n')
    assert errors[0].startswith("rules/tags.toml: behaviour[0] (高价值).when: invalid expression")


def test_behaviour_unknown_metric_is_a_load_error() -> None:
    errors = errors_of('[[behaviour]]\ntag = "高价值"\nwhen = "purchases_90d >= 2 and spend_forever > 5000"\n')
    assert "behaviour[0] (高价值).when: unknown metric spend_forever" in errors[0]


def test_behaviour_rules_evaluate_metrics() -> None:
    rules = parse_rules(
        '[[behaviour]]\ntag = "高价值"\nwhen = "purchases_90d >= 2 and spend_365d > 5000"\n'
        '[[behaviour]]\ntag = "重点"\nwhen = "stage == \'成交\' and value_tier in [\'A\', \'B\']"\n'
    )
    high_value, key = rules.behaviour_rules
    assert high_value.matches({"purchases_90d": 3, "spend_365d": 8000})
    assert not high_value.matches({"purchases_90d": 1, "spend_365d": 8000})
    assert key.matches({"stage": "成交", "value_tier": "B"})
    assert not key.matches({"stage": "成交", "value_tier": "C"})


def test_behaviour_rule_without_its_metric_does_not_match() -> None:
    rule = parse_rules('[[behaviour]]\ntag = "沉睡"\nwhen = "last_active_days >= 60"\n').behaviour_rules[0]
    assert not rule.matches({})
    assert not rule.matches({"last_active_days": None})
    assert rule.matches({"last_active_days": 90, "unrelated": object()})


def test_behaviour_expressions_are_sandboxed() -> None:
    rule = parse_rules('[[behaviour]]\ntag = "x"\nwhen = "stage.__class__.__mro__ is defined"\n').behaviour_rules[0]
    assert not rule.matches({"stage": "新客"})


def test_shipped_behaviour_rules() -> None:
    rules = {rule.tag: rule for rule in load_rules(SHIPPED).behaviour_rules}
    everything = dict.fromkeys(METRIC_NAMES, 0) | {"stage": "", "value_tier": ""}
    assert rules["高价值"].matches(everything | {"purchases_90d": 2, "spend_365d": 6800})
    assert rules["沉睡客户"].matches(everything | {"last_active_days": 75})
    assert not rules["沉睡客户"].matches(everything | {"last_active_days": 75, "purchases_90d": 1})
    assert rules["新客"].matches(everything | {"days_since_first_seen": 3})


def test_the_default_dictionary_keeps_common_traps_whole_unless_a_file_says_not() -> None:
    price = '[[keyword]]\ntag = "关注:价格"\nkeywords = ["贵"]\n'
    assert "贵店" in parse_rules(price).dictionary_words
    assert parse_rules('[dictionary]\nwords = ["贵宾"]\ndefaults = false\n' + price).dictionary_words == ("贵宾",)
