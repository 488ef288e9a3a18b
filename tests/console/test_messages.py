"""The editors show the validators' problems in Chinese, on the same line and key."""

from __future__ import annotations

from pathlib import Path

from bot.console.messages import to_chinese
from tests.console.conftest import Console, csrf_token


def test_pydantic_and_validator_kinds_read_in_chinese() -> None:
    assert to_chinese("Field required") == "缺少必填项"
    unknown = "不认识的键（拼写错了，或放错了位置）"
    assert to_chinese("Extra inputs are not permitted") == to_chinese("unknown key") == unknown
    assert to_chinese("Input should be a valid integer, unable to parse string as an integer") == "应为整数"
    assert to_chinese("Input should be 'once', 'always' or 'after_exit'") \
        == "应为以下之一：'once'、'always'、'after_exit'"
    assert to_chinese("unknown channel 'sms'; expected some of kf, mp_custom") \
        == "不认识的渠道 'sms'；可用：kf, mp_custom"
    assert to_chinese("invalid TOML: Expected newline or end of document after a statement (at line 7, column 11)") \
        == "TOML 语法错误（第 7 行第 11 列）：一条语句之后应换行"
    assert to_chinese("something no rule knows") == "something no rule knows"


def test_the_playbook_editor_says_what_is_wrong_in_chinese_at_its_line_and_key(console: Console) -> None:
    console.add_user("op", "operator")
    client = console.login("op")
    token = csrf_token(client, "/console/playbooks/birthday")
    source = (Path(console.runtime.config.bot.playbooks_dir) / "birthday.toml").read_text(encoding="utf-8")
    line = 1 + source[:source.index('after = "0min"')].count("\n")
    broken = source.replace('after = "0min"', 'after = "soon"\nchannel = "kf"')
    bad = client.post("/console/playbooks/validate", data={"source": broken, "csrf_token": token}).json
    assert {(p["line"], p["path"]) for p in bad["problems"]} == {(line, "steps[0].after"),
                                                                 (line + 1, "steps[0].channel")}
    messages = {p["path"]: p["message"] for p in bad["problems"]}
    assert messages["steps[0].after"].startswith("应为时长") and "收到 'soon'" in messages["steps[0].after"]
    assert messages["steps[0].channel"] == "不认识的键（拼写错了，或放错了位置）"
    saved = client.post("/console/playbooks/birthday", data={"source": broken, "csrf_token": token})
    assert saved.status_code == 400 and "应为时长" in saved.get_data(as_text=True)


def test_the_rule_file_editors_say_what_is_wrong_in_chinese(console: Console) -> None:
    console.add_user("op", "operator")
    op = console.login("op")
    original = console.runtime.config.bot.tag_rules_path.read_text(encoding="utf-8")
    token = csrf_token(op, "/console/rules")
    checked = op.post("/console/rules/validate", data={"source": original + "\n[[keyword]]\ntag = \"a:b\"\nbogus = 1\n",
                                                       "csrf_token": token}).json
    assert not checked["ok"]
    assert any(p["key"].endswith(".bogus") and p["message"] == "不认识的键（拼写错了，或放错了位置）"
               and p["line"] == original.count("\n") + 4 for p in checked["problems"])
    broken = op.post("/console/rules/validate", data={"source": "x = [\n", "csrf_token": token}).json
    assert broken["problems"][0]["message"].startswith("TOML 语法错误")
