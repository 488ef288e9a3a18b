"""Every way of starting the bot (`siyu serve`, `worker`, `demo`, gunicorn's `create_app()`,
`build_runtime`) refuses without WeCom credentials (unless WeCom is disabled) or without the opt-out
tag rule, in one line naming the file and the key or rule; the tag rules and the 话术 library live
apart from the playbooks, where `[bot] tag_rules` and `scripts` say (issue 13)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.startup import check_ready_to_serve
from bot.config import ConfigError, config_from_dict

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "tags.toml"


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
    with pytest.raises(ConfigError, match=f"^{re.escape(str(rules))}: no keyword rule tags 状态:退订"):
        check_ready_to_serve(config(tmp_path, rules))
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match=f"^{re.escape(str(missing))}: tag rules cannot be used"):
        check_ready_to_serve(config(tmp_path, missing))


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
    shutil.copy(RULES.parent / "tags.model.json", rules.parent)
    settings = config(tmp_path / "playbooks", rules)
    assert settings.bot.tag_rules_path == rules
    assert RulesStore(settings.bot.tag_rules_path).rules.source == str(rules)


def no_opt_out(tmp_path: Path) -> Path:
    rules = tmp_path / "rules" / "tags.toml"
    rules.parent.mkdir(exist_ok=True)
    rules.write_text('[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约"]\n', encoding="utf-8")
    return rules


def test_build_runtime_and_create_app_refuse_too(tmp_path: Path, sqlite_url: str) -> None:
    """The demo, gunicorn's create_app() and the tests build the bot without `serve`: they refuse alike."""
    from bot.app import create_app
    from bot.assembly import build_runtime

    rules = no_opt_out(tmp_path)
    settings = config_from_dict({"database": {"url": sqlite_url}, "wecom": {"corp_id": "wwTEST", "secret": "s"},
                                 "bot": {"tag_rules": str(rules)}}, "test.toml")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(rules))}: no keyword rule tags 状态:退订"):
        build_runtime(settings, [])
    with pytest.raises(ConfigError, match="no keyword rule tags 状态:退订"):
        create_app(settings, routers=[])
    no_secret = config_from_dict({"database": {"url": sqlite_url}, "wecom": {"corp_id": "wwTEST"},
                                  "bot": {"tag_rules": str(RULES)}}, "test.toml")
    with pytest.raises(ConfigError, match=r"^test.toml: \[wecom\] secret is empty"):
        create_app(no_secret, routers=[])


def test_gunicorn_create_app_refuses_naming_the_file(tmp_path: Path, sqlite_url: str,
                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_app

    rules = no_opt_out(tmp_path)
    settings = tmp_path / "config.toml"
    settings.write_text(f'[database]\nurl = "{sqlite_url}"\n[wecom]\ncorp_id = "wwTEST"\nsecret = "s"\n'
                        f'[bot]\ntag_rules = "{rules}"\n', encoding="utf-8")
    monkeypatch.setenv("SIYU_CONFIG", str(settings))
    with pytest.raises(ConfigError, match=f"^{re.escape(str(rules))}: no keyword rule tags 状态:退订"):
        create_app()                                                    # as gunicorn calls it


@pytest.mark.parametrize("command", [["demo", "--once", "--port", "7101", "--sim-port", "7102"], ["worker"],
                                     ["serve", "--port", "7103"], ["playbook", "dispatch"]])
def test_each_command_that_starts_the_bot_refuses_in_one_line(tmp_path: Path, capsys, command) -> None:  # type: ignore[no-untyped-def]
    rules = no_opt_out(tmp_path)
    settings = tmp_path / "config.toml"
    settings.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/db.sqlite"\n[wecom]\ncorp_id = "wwTEST"\n'
                        f'secret = "s"\n[bot]\ntag_rules = "{rules}"\n', encoding="utf-8")
    assert main(["--config", str(settings), "init"]) == 0
    capsys.readouterr()
    assert main(["--config", str(settings), *command]) == 2
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "error" in line.lower()]   # (migration checks log too)
    assert line.startswith(f"siyu: configuration error: {rules}: no keyword rule tags 状态:退订")
    assert "Traceback" not in err


def test_a_rules_file_left_in_the_playbooks_folder_is_named(tmp_path: Path) -> None:
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "tags.toml").write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    moved = tmp_path / "rules" / "tags.toml"
    settings = config_from_dict({"wecom": {"enabled": False},
                                 "bot": {"playbooks_dir": str(playbooks), "tag_rules": str(moved)}}, "test.toml")
    with pytest.raises(ConfigError, match="tags.toml is still in the playbooks folder: move it to"):
        check_ready_to_serve(settings)
