"""剧本 in the console: a broken edit is shown and never replaces the running version; a good one is the
next version (and the file); diff, rollback, enable/disable, live validation and preview."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.models import PlaybookRecord
from bot.playbooks.registry import active_playbooks
from tests.console.conftest import Console, csrf_token


def _current(console: Console, playbook_id: str) -> tuple[int, bool]:
    with console.runtime.db.session() as session:
        record = session.get(PlaybookRecord, playbook_id)
        return record.current_version, record.enabled


def test_list_shows_every_playbook_with_status_and_counts(console: Console) -> None:
    console.add_user("op", "operator")
    console.add_user("li", "guide", wecom_userid="guide_li")
    html = console.login("op").get("/console/playbooks").get_data(as_text=True)
    assert "生日祝福" in html and "welcome-series" in html and "启用中" in html
    assert console.login("li").get("/console/playbooks").status_code == 403


def test_a_broken_edit_shows_its_errors_and_the_old_version_keeps_running(console: Console) -> None:
    console.add_user("op", "operator")
    client = console.login("op")
    version, _ = _current(console, "birthday")
    page = "/console/playbooks/birthday"
    text = client.get(page).get_data(as_text=True)
    token = csrf_token(client, page)
    source = (Path(console.runtime.config.bot.playbooks_dir) / "birthday.toml").read_text(encoding="utf-8")
    broken = source.replace('after = "0min"', 'after = "soon"')
    response = client.post(page, data={"source": broken, "csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "未保存" in body and "steps[0].after" in body and "第 " in body
    assert _current(console, "birthday") == (version, True)
    assert 'after = "soon"' not in (Path(console.runtime.config.bot.playbooks_dir) / "birthday.toml").read_text()
    fixed = source.replace("生日快乐！", "生日快乐呀！")
    assert client.post(page, data={"source": fixed, "csrf_token": token}).status_code == 302
    assert _current(console, "birthday") == (version + 1, True)
    assert "生日快乐呀" in (Path(console.runtime.config.bot.playbooks_dir) / "birthday.toml").read_text()
    with console.runtime.db.session() as session:
        [active] = [a for a in active_playbooks(session) if a.playbook.id == "birthday"]
        assert active.version == version + 1
    diff = client.get(f"{page}/diff/{version}").get_data(as_text=True)
    assert "生日快乐呀" in diff and 'class="add"' in diff and 'class="del"' in diff
    client.post(f"{page}/rollback/{version}", data={"csrf_token": token})
    assert _current(console, "birthday") == (version + 2, True)
    assert "生日快乐呀" not in client.get(page).get_data(as_text=True)
    assert text


def test_the_id_cannot_be_changed_and_live_validation_answers_like_the_cli(console: Console) -> None:
    console.add_user("op", "operator")
    client = console.login("op")
    token = csrf_token(client, "/console/playbooks/birthday")
    source = (Path(console.runtime.config.bot.playbooks_dir) / "birthday.toml").read_text(encoding="utf-8")
    renamed = client.post("/console/playbooks/birthday",
                          data={"source": source.replace('id = "birthday"', 'id = "bday"'), "csrf_token": token})
    assert renamed.status_code == 400 and "id 不能在编辑器里修改" in renamed.get_data(as_text=True)
    ok = client.post("/console/playbooks/validate", data={"source": source, "id": "birthday", "csrf_token": token})
    assert ok.json["ok"] and ok.json["summary"]["steps"][0]["channels"][0] == "kf"
    broken = source.replace('after = "0min"', 'after = "soon"')
    line = 1 + source[:source.index('after = "0min"')].count("\n")
    bad = client.post("/console/playbooks/validate", data={"source": broken, "csrf_token": token})
    assert not bad.json["ok"] and bad.json["problems"][0] == {"line": line, "path": "steps[0].after",
                                                              "message": bad.json["problems"][0]["message"]}


def test_disable_and_enable_become_versions(console: Console) -> None:
    console.add_user("op", "operator")
    client = console.login("op")
    token = csrf_token(client, "/console/playbooks/birthday")
    version, _ = _current(console, "birthday")
    client.post("/console/playbooks/birthday/enabled", data={"enabled": "0", "csrf_token": token})
    assert _current(console, "birthday") == (version + 1, False)
    client.post("/console/playbooks/birthday/enabled", data={"enabled": "1", "csrf_token": token})
    assert _current(console, "birthday") == (version + 2, True)
    with console.runtime.db.session() as session:
        from bot.models import AuditEntry
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.target == "birthday")))
        assert actions == ["playbook_disable", "playbook_enable"]


def test_preview_for_a_chosen_customer(console: Console) -> None:
    console.add_user("op", "operator")
    customer = console.customer("小美", guide="guide_li")
    client = console.login("op")
    token = csrf_token(client, "/console/playbooks/birthday")
    html = client.post("/console/playbooks/birthday/preview",
                       data={"customer_id": str(customer), "csrf_token": token}).get_data(as_text=True)
    assert "小美，生日快乐" in html
