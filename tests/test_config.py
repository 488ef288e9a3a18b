"""Operator configuration: file, environment overrides, errors that name the key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, config_from_dict, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_loads_with_documented_defaults() -> None:
    config = load_config(ROOT / "config.example.toml", environ={})
    assert config.database.url == "sqlite:///var/siyu.db"
    assert config.scheduler.timezone == "Asia/Shanghai"
    assert config.scheduler.quiet_hours == ("21:30", "08:30")
    assert config.scheduler.guide_digest_time == time(9, 0)


def test_an_empty_digest_time_switches_the_digest_off() -> None:
    assert config_from_dict({"scheduler": {"guide_digest_at": ""}}).scheduler.guide_digest_time is None


def test_environment_overrides_any_key(tmp_path: Path) -> None:
    file = tmp_path / "c.toml"
    file.write_text('[wecom]\ncorp_id = "wwFILE"\nagent_id = 1\n', encoding="utf-8")
    config = load_config(file, environ={"SIYU_WECOM__CORP_ID": "wwENV", "SIYU_WECOM__AGENT_ID": "1000002",
                                         "SIYU_API__TOKENS": '["a", "b"]', "SIYU_DATABASE__URL": "sqlite:///x.db"})
    assert config.wecom.corp_id == "wwENV" and config.wecom.agent_id == 1000002
    assert [t.get_secret_value() for t in config.api.tokens] == ["a", "b"]
    assert config.database.url == "sqlite:///x.db"


def test_siyu_config_variable_selects_the_file(tmp_path: Path) -> None:
    file = tmp_path / "chosen.toml"
    file.write_text('[scheduler]\ntimezone = "UTC"\n', encoding="utf-8")
    assert load_config(environ={"SIYU_CONFIG": str(file)}).scheduler.timezone == "UTC"


@pytest.mark.parametrize(("text", "named"), [
    ('[wecom]\nagent_id = "abc"\n', "wecom.agent_id"),
    ('[scheduler]\ntimezone = "Mars/Olympus"\n', "scheduler.timezone"),
    ('[scheduler]\nguide_digest_at = "9点"\n', "scheduler.guide_digest_at"),
    ('[scheduler]\nguide_digest_at = "24:00"\n', "scheduler.guide_digest_at"),
    ('[wecom]\nencoding_aes_key = "short"\n', "wecom.encoding_aes_key"),
    ('[database]\nurl = "x"\nport = 1\n', "database.port"),
    ('[wecom\ncorp_id = 1\n', "line 1"),
])
def test_a_wrong_value_names_file_and_key(tmp_path: Path, text: str, named: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as excinfo:
        load_config(file, environ={})
    assert str(file) in str(excinfo.value) and named in str(excinfo.value)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", environ={})


def test_secrets_are_masked_in_reprs() -> None:
    config = load_config(environ={"SIYU_WECOM__SECRET": "s3cr3t-value",
                                  "SIYU_CONFIG": str(ROOT / "config.example.toml")})
    assert "s3cr3t-value" not in repr(config) and "s3cr3t-value" not in str(config.model_dump())
