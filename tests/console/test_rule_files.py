"""The rule file checks the editors use: every validator message lands on its line and key."""

from __future__ import annotations

from pathlib import Path

from bot.console.rule_files import check_scripts, check_tag_rules

SHIPPED = Path(__file__).resolve().parents[2] / "rules"
RULES = (SHIPPED / "tags.toml").read_text(encoding="utf-8")
SCRIPTS = (SHIPPED / "scripts.toml").read_text(encoding="utf-8")


def lines_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_shipped_files_pass() -> None:
    rules, problems = check_tag_rules(RULES, SHIPPED)
    assert rules is not None and problems == []
    assert check_scripts(SCRIPTS, {r.tag for r in rules.keyword_rules} | {r.tag for r in rules.behaviour_rules}) == []


def test_a_bad_field_of_a_rule_points_at_its_line() -> None:
    text = RULES + '\n[[keyword]]\ntag = "兴趣:露营"\nkeywords = ["露营"]\nnegatable = "也许"\n'
    [problem] = check_tag_rules(text, SHIPPED)[1]
    assert problem.line == text.count("\n") and problem.key.endswith("(兴趣:露营).negatable")


def test_broken_toml_gives_its_line() -> None:
    text = RULES + "\n[[keyword]\n"
    [problem] = check_tag_rules(text, SHIPPED)[1]
    assert problem.line == text.count("\n") and "invalid TOML" in problem.message


def test_a_bad_behaviour_expression_points_at_its_when() -> None:
    text = RULES + '\n[[behaviour]]\ntag = "土豪"\nwhen = "spend_forever > 1"\n'
    [problem] = check_tag_rules(text, SHIPPED)[1]
    assert problem.line == text.count("\n") and "spend_forever" in problem.message and problem.key.endswith(".when")


def test_the_opt_out_rule_cannot_go() -> None:
    rules, problems = check_tag_rules(RULES.replace('tag = "状态:退订"', 'tag = "状态:静音"'), SHIPPED)
    assert rules is None and "不能删除退订规则" in problems[0].message


def test_a_script_fitting_a_tag_no_rule_gives_is_refused_on_its_line() -> None:
    text = SCRIPTS + '\n[[script]]\nid = "x"\ncategory = "c"\ntitle = "t"\ntext = "好的"\ntags = ["没有:这个"]\n'
    rules, _ = check_tag_rules(RULES, SHIPPED)
    assert rules is not None
    [problem] = check_scripts(text, {r.tag for r in rules.keyword_rules} | {r.tag for r in rules.behaviour_rules})
    assert problem.key.endswith("(x).tags") and problem.line == lines_of(text, '["没有:这个"]')
