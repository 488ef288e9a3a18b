"""`siyu playbook check|import|export|list|preview` and the start-up import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from bot.clock import Clock
from bot.db import Database
from bot.models import Customer, PlaybookRecord, PlaybookVersion
from tests.playbooks.support import SHIPPED_DIR, simple_playbook
from tests.support.harness import RULES_DIR

BROKEN = simple_playbook().replace('after = "1h"', 'after = "soon"')


@pytest.fixture
def workspace(tmp_path: Path, sqlite_url: str) -> tuple[Path, Path]:
    """A config file pointing at a migrated SQLite database and copies of the shipped playbooks and,
    apart from them, the tag rules and the 话术 library."""
    directory, rules = tmp_path / "pb", tmp_path / "rules"
    shutil.copytree(SHIPPED_DIR, directory)
    shutil.copytree(RULES_DIR, rules)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n[bot]\nplaybooks_dir = "{directory}"\n'
                      f'tag_rules = "{rules / "tags.toml"}"\nscripts = "{rules / "scripts.toml"}"\n', encoding="utf-8")
    return config, directory


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), "playbook", *args])


def versions(config: Path) -> dict[str, int]:
    url = config.read_text(encoding="utf-8").split('"')[1]
    with Database(url, Clock()).session() as session:
        return {r.id: r.current_version for r in session.scalars(select(PlaybookRecord))}


def test_check_passes_on_the_shipped_files_and_names_file_line_and_key(workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    config, directory = workspace
    assert run(config, "check") == 0
    assert "8 file(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().out  # 6 playbooks, tags, scripts
    (directory / "bad.toml").write_text(BROKEN, encoding="utf-8")
    assert run(config, "check", str(directory / "bad.toml"), str(directory / "birthday.toml")) == 1
    err = capsys.readouterr().err
    line = BROKEN.splitlines().index('after = "soon"') + 1
    assert f"{directory / 'bad.toml'}:{line}: steps[0].after: expected a duration" in err


def test_check_warns_when_a_template_step_relies_on_what_wechat_drops(workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    config, directory = workspace
    assert run(config, "check") == 0
    assert "warning" not in capsys.readouterr().err                     # the shipped class reminder fits
    old_style = (directory / "class-reminders.toml").read_text(encoding="utf-8").replace(
        'keyword3 = "如需调课请回复本消息"',
        'first = "您好", remark = "如需调课请回复本消息，我们的老师会在课前为您安排好一切"')
    (directory / "class-reminders.toml").write_text(old_style, encoding="utf-8")
    assert run(config, "check") == 0                                    # warnings, not problems
    err = capsys.readouterr().err
    assert "steps[0].template_data.first: warning: WeChat no longer shows the 'first' line" in err
    assert "steps[0].template_data.remark: warning: WeChat no longer shows the 'remark' line" in err


def test_check_reports_a_broken_tag_rule_pack(workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("bot.tagging.rules")
    config, directory = workspace
    rules = directory.parent / "rules" / "tags.toml"
    rules.write_text('[[keyword]]\ntag = "x"\nkeywords = []\nbogus = 1\n', encoding="utf-8")
    assert run(config, "check") == 1
    assert f"{rules}: keyword[0]" in capsys.readouterr().err


def test_import_versions_changed_files_and_keeps_the_last_good_one(workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    config, directory = workspace
    assert run(config, "import") == 0
    assert versions(config) == dict.fromkeys(
        ["birthday", "class-reminders", "nps-survey", "post-treatment-followup", "re-engagement", "welcome-series"], 1)
    assert run(config, "import") == 0
    assert "unchanged: birthday" in capsys.readouterr().out
    path = directory / "birthday.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("生日快乐", "生日快乐呀"), encoding="utf-8")
    good = (directory / "nps-survey.toml").read_text(encoding="utf-8")
    (directory / "nps-survey.toml").write_text(good.replace('after = "3d"', 'after = "3 days"'), encoding="utf-8")
    assert run(config, "import") == 1                                   # one file broken: non-zero exit
    assert "nps-survey.toml" in capsys.readouterr().err
    found = versions(config)
    assert found["birthday"] == 2 and found["nps-survey"] == 1          # the others still imported
    url = config.read_text(encoding="utf-8").split('"')[1]
    with Database(url, Clock()).session() as session:
        assert session.get(PlaybookRecord, "nps-survey").last_error
        assert session.scalar(select(PlaybookVersion.content).where(
            PlaybookVersion.playbook_id == "nps-survey")) == good


def test_export_writes_the_current_versions_and_list_shows_them(workspace, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    config, directory = workspace
    run(config, "import")
    out = tmp_path / "exported"
    assert run(config, "export", "--dir", str(out)) == 0
    exported = (out / "birthday.toml").read_text(encoding="utf-8")
    assert exported == (directory / "birthday.toml").read_text(encoding="utf-8")
    capsys.readouterr()
    assert run(config, "list") == 0
    listing = capsys.readouterr().out
    assert "welcome-series" in listing and "欢迎旅程" in listing


def test_preview_for_an_event_and_for_a_customer(workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    config, _ = workspace
    run(config, "import")
    capsys.readouterr()
    event = ('{"type": "class_scheduled", "at": "2026-11-02T10:00:00+08:00", "data": {"class_name": "产后瑜伽", '
             '"class_start": "2026-11-04T19:00:00+08:00", "class_end": "2026-11-04T20:30:00+08:00"}}')
    assert run(config, "preview", "class-reminders", "--event", event) == 0
    out = capsys.readouterr().out
    assert "1. remind-24h: 2026-11-03 19:00 周二 via mp_template" in out
    assert "3. feedback: 2026-11-05 08:30 周四 (deferred from 2026-11-04 22:30 周三) via kf" in out
    assert "「产后瑜伽」还有 1 小时开始" in out

    url = config.read_text(encoding="utf-8").split('"')[1]
    with Database(url, Clock()).session() as session:
        customer = Customer(name="王女士", openid="o_wang", first_seen_at=Clock().now(), attributes={})
        session.add(customer)
        session.flush()
        customer_id = customer.id
    assert run(config, "preview", "welcome-series", "--customer", str(customer_id),
               "--at", "2026-11-02T21:30:00+08:00") == 0
    out = capsys.readouterr().out
    assert "1. welcome: 2026-11-03 08:30 周二 (deferred from 2026-11-02 21:35 周一) — no channel" in out
    assert "2. day1-intro: 2026-11-03 10:00 周二 — no channel can reach this customer then" in out
    assert "mp_custom: the customer never wrote through 公众号" in out  # a follower who never wrote
    assert "[holdout 10%]" in out and "王女士您好" in out
    assert run(config, "preview", "nope") == 1


def test_the_runtime_imports_playbooks_at_start_up(tmp_path, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    from bot.config import config_from_dict
    from bot.assembly import build_runtime

    directory = tmp_path / "pb"
    directory.mkdir()
    (directory / "care.toml").write_text(simple_playbook(), encoding="utf-8")
    (directory / "broken.toml").write_text(BROKEN.replace('id = "care"', 'id = "other"'), encoding="utf-8")
    config = config_from_dict({"database": {"url": sqlite_url}, "wecom": {"enabled": False},
                               "bot": {"playbooks_dir": str(directory)}})
    runtime = build_runtime(config, [])
    try:
        with runtime.db.session() as session:
            assert [r.id for r in session.scalars(select(PlaybookRecord))] == ["care"]
        assert {job.id for job in runtime.jobs} >= {"playbooks_dispatch", "playbooks_scan"}
    finally:
        runtime.close()
