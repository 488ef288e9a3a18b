"""`siyu doctor` names each misconfiguration against the simulator, and exits non-zero on errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.cli.main import main
from bot.config import Config
from bot.ops import rejections
from bot.ops.doctor import Finding, run_doctor
from bot.ops.heartbeat import Heartbeat
from tests.support.harness import Harness


@pytest.fixture
def h(database_url: str) -> Iterator[Harness]:
    rejections.forget()
    harness = Harness(database_url)
    harness.seed_staff()
    heartbeat = Heartbeat(harness.db)
    heartbeat.beat()                                   # a scheduler is running somewhere
    yield harness
    heartbeat.stop()
    harness.close()


def doctor_config(h: Harness, **changes: dict[str, Any]) -> Config:
    """The harness's configuration, its public URL the bot's real address, with `changes` per section."""
    data = {"bot": {"public_url": h.bot_url}, "console": {"secret_key": SecretStr("k" * 32)}, **changes}
    updated = {name: getattr(h.config, name).model_copy(update=values) for name, values in data.items()}
    return h.config.model_copy(update=updated)


def errors(findings: list[Finding]) -> dict[str, str]:
    return {f.area: f"{f.message} {f.fix}" for f in findings if f.level == "error"}


def toml_of(config: Config) -> str:
    """The configuration as an operator's config.toml."""
    def value(v: Any) -> str:
        if isinstance(v, SecretStr):
            v = v.get_secret_value()
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(item) for item in v) + "]"
        return str(v) if isinstance(v, (int, float)) else json.dumps(str(v), ensure_ascii=False)

    lines = []
    for name in ("database", "wecom", "mp", "api", "bot", "console"):
        lines.append(f"[{name}]")
        section = getattr(config, name)
        lines += [f"{key} = {value(getattr(section, key))}" for key in type(section).model_fields]
    return "\n".join(lines) + "\n"


def test_a_good_configuration_passes_and_exits_0(h: Harness, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(toml_of(doctor_config(h)), encoding="utf-8")
    assert main(["--config", str(path), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "结论：一切正常。" in out
    for area in ("数据库", "调度器", "企业微信", "微信客服", "企业微信回调", "公众号回调", "公众号"):
        assert f"[通过] {area}：" in out, out


@pytest.mark.parametrize(("misconfig", "area", "words"), [
    ("invalid_secret", "企业微信", ["40001", "Secret 不对", "[wecom] secret"]),
    ("secret_wrong_kind", "企业微信", ["48009", "Secret 的类型不对", "可调用应用"]),
    ("untrusted_ip", "企业微信", ["60020", "企业可信IP", "203.0.113.7"]),
    ("kf_unbound", "微信客服", ["wkSIM0001", "没有交给本应用管理"]),
    ("mp_untrusted_ip", "公众号", ["40164", "IP白名单"]),
])
def test_each_misconfiguration_is_named_with_its_fix(h: Harness, misconfig: str, area: str, words: list[str]) -> None:
    h.sim.misconfigure(misconfig)
    findings, ok = run_doctor(doctor_config(h))
    assert not ok
    found = errors(findings)
    assert list(found) == [area], found
    for word in words:
        assert word in found[area], found[area]


def test_wechat_pushing_with_another_aes_key_is_named(h: Harness) -> None:
    h.sim.misconfigure("wrong_aes_key")
    pushed = h.sim.add_customer("小美", userid="guide_li")
    assert pushed["status"] in (400, 403)               # the bot could not read it: the push is lost
    findings, ok = run_doctor(doctor_config(h))
    assert not ok
    assert "EncodingAESKey" in errors(findings)["企业微信回调"]

    h.sim.reset()                                        # the admin fixes the key in the console
    rejections.forget()                                  # (and restarts the web app)
    assert h.sim.add_customer("小美", userid="guide_li")["status"] == 200
    findings, ok = run_doctor(doctor_config(h))
    assert ok and "企业微信回调" not in errors(findings)


def test_a_running_bot_with_another_token_or_key_fails_the_callback_check(h: Harness) -> None:
    other_token = doctor_config(h, wecom={"token": SecretStr("not-the-running-token")})
    findings, ok = run_doctor(other_token)
    assert not ok and "Token" in errors(findings)["企业微信回调"]
    other_key = doctor_config(h, wecom={"encoding_aes_key": SecretStr("A" * 43)},
                              mp={"token": SecretStr("another-mp-token")})
    found = errors(run_doctor(other_key)[0])
    assert "EncodingAESKey" in found["企业微信回调"] and "Token" in found["公众号回调"]


def test_an_unreachable_public_url_is_named(h: Harness) -> None:
    findings, ok = run_doctor(doctor_config(h, bot={"public_url": "http://127.0.0.1:9"}), timeout=2)
    assert not ok and "访问不到" in errors(findings)["企业微信回调"]


def test_a_missing_console_key_is_a_warning(h: Harness) -> None:
    findings, ok = run_doctor(doctor_config(h, console={"secret_key": SecretStr("")}))
    assert ok                                          # a warning, not an error
    assert [f.area for f in findings if f.level == "warning"] == ["运营后台"]


def test_no_scheduler_running_is_an_error(h: Harness) -> None:
    h.runtime.features["heartbeat"].stop() if "heartbeat" in h.runtime.features else None
    with h.db.session() as session:
        from sqlalchemy import delete

        from bot.models import SharedValue
        session.execute(delete(SharedValue).where(SharedValue.key.startswith("heartbeat:")))
    findings, ok = run_doctor(doctor_config(h))
    assert not ok and "siyu worker" in errors(findings)["调度器"]


def test_a_database_behind_the_code_is_named(h: Harness, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = doctor_config(h, database={"url": f"sqlite:///{tmp_path / 'old.db'}"})
    path = tmp_path / "config.toml"
    path.write_text(toml_of(config), encoding="utf-8")
    assert main(["--config", str(path), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "[错误] 数据库：数据库结构落后" in out and "siyu init" in out


def test_an_unreachable_official_account_api_is_named(h: Harness) -> None:
    findings, ok = run_doctor(doctor_config(h, mp={"api_base_url": "http://127.0.0.1:9/mp/cgi-bin/"}), timeout=2)
    assert not ok and "连不上微信接口" in errors(findings)["公众号"]
