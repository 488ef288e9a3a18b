"""`siyu serve` / `worker` refuse to start without WeCom credentials (unless WeCom is disabled)
or without the opt-out tag rule; the tag rules live where `[bot] tag_rules` says (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import check_ready_to_serve, main
from bot.config import ConfigError, config_from_dict

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "playbooks" / "tags.toml"


def config(tmp_path: Path, rules: Path = RULES, **wecom: object):  # type: ignore[no-untyped-def]
    return config_from_dict({"wecom": {"corp_id": "wwTEST", "secret": "s", **wecom},
                             "bot": {"playbooks_dir": str(tmp_path), "tag_rules": str(rules)}}, "test.toml")


@pytest.mark.parametrize("key", ["corp_id", "secret"])
def test_an_empty_wecom_key_stops_start_up_naming_it(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"test.toml: \[wecom\] {key} is empty"):
        check_ready_to_serve(config(tmp_path, **{key: ""}))
    check_ready_to_serve(config(tmp_path, enabled=False, **{key: ""}))    # explicitly without WeCom


def test_no_opt_out_rule_no_serving(tmp_path: Path) -> None:
    check_ready_to_serve(config(tmp_path))
    rules = tmp_path / "rules" / "mine.toml"
    rules.parent.mkdir()
    rules.write_text('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no rule for 状态:退订"):
        check_ready_to_serve(config(tmp_path, rules))
    with pytest.raises(ConfigError, match="cannot be used"):
        check_ready_to_serve(config(tmp_path, tmp_path / "missing.toml"))


def test_serve_names_the_empty_key(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = tmp_path / "config.toml"
    settings.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/db.sqlite"\n[bot]\ntag_rules = "{RULES}"\n',
                        encoding="utf-8")
    assert main(["--config", str(settings), "init"]) == 0
    assert main(["--config", str(settings), "serve", "--port", "8839"]) == 2
    assert "[wecom] corp_id is empty" in capsys.readouterr().err


def test_tag_rules_apart_from_the_playbooks(tmp_path: Path) -> None:
    from bot.tagging.store import RulesStore

    rules = tmp_path / "rules" / "tags.toml"
    rules.parent.mkdir()
    rules.write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    settings = config(tmp_path / "playbooks", rules)
    assert settings.bot.tag_rules_path == rules
    assert RulesStore(settings.bot.tag_rules_path).rules.source == str(rules)
