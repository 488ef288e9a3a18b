"""CSV import: bad rows reported by line and field, good rows kept, dry run, idempotent re-run; the CLI."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from bot.models import Customer, Event
from tests.console.conftest import Console, csrf_token

CUSTOMERS = """external_userid,openid,phone,name,birthday,tags,会员等级
wm_001,,13800000001,小美,1992-03-08,VIP;水光针,金卡
wm_002,,,王先生,3月8日,,银卡
,o_003,13800000003,陈女士,1988-12-01,,
,,,无名氏,1990-01-01,,
wm_005,,,李女士,1995-07-07,VIP,
"""
EVENTS = """external_userid,phone,type,at,amount,项目
wm_001,,purchase,2026-10-20T15:00:00+08:00,1280,水光针
,13800000003,purchase,2026-10-21,680,
wm_001,,purchase,yesterday,100,
wm_404,,purchase,2026-10-22,100,
"""


def upload(client, kind: str, text: str, dry_run: bool) -> str:  # type: ignore[no-untyped-def]
    data = {"kind": kind, "csrf_token": csrf_token(client, "/console/import"),
            "file": (io.BytesIO(text.encode("utf-8-sig")), f"{kind}.csv")}
    if dry_run:
        data["dry_run"] = "1"
    return client.post("/console/import", data=data, content_type="multipart/form-data").get_data(as_text=True)


def customers(console: Console) -> int:
    with console.runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(Customer))


def test_customer_import_reports_two_bad_rows_and_keeps_the_rest(console: Console) -> None:
    console.add_user("op", "operator")
    client = console.login("op")
    dry = upload(client, "customers", CUSTOMERS, dry_run=True)
    assert "试运行结果" in dry and customers(console) == 0
    html = upload(client, "customers", CUSTOMERS, dry_run=False)
    assert '<div class="value" id="created">3</div>' in html and '<div class="value" id="bad">2</div>' in html
    assert "生日格式应为 YYYY-MM-DD" in html and "<td class=\"num\">3</td>" in html   # line 3: the bad birthday
    assert "至少要填" in html and "<td class=\"num\">5</td>" in html                 # line 5: nothing to match by
    with console.runtime.db.session() as session:
        mei = session.scalar(select(Customer).where(Customer.external_userid == "wm_001"))
        assert mei.birthday == date(1992, 3, 8) and mei.attributes == {"phone": "13800000001", "会员等级": "金卡"}
        assert mei.tag_names == ["VIP", "水光针"]
    again = upload(client, "customers", CUSTOMERS, dry_run=False)
    assert '<div class="value" id="created">0</div>' in again and '<div class="value" id="unchanged">3</div>' in again
    assert customers(console) == 3


def test_event_import_matches_by_identity_or_phone_and_is_idempotent(console: Console) -> None:
    console.add_user("op", "operator")
    client = console.login("op")
    upload(client, "customers", CUSTOMERS, dry_run=False)
    html = upload(client, "events", EVENTS, dry_run=False)
    assert '<div class="value" id="created">2</div>' in html and '<div class="value" id="bad">2</div>' in html
    assert "找不到这位客户" in html and "时间格式" in html
    upload(client, "events", EVENTS, dry_run=False)
    with console.runtime.db.session() as session:
        amounts = sorted(e.data["amount"] for e in session.scalars(select(Event).where(Event.type == "purchase")))
        assert amounts == [680.0, 1280.0]


def test_a_file_without_an_identity_column_is_refused_whole(console: Console) -> None:
    console.add_user("op", "operator")
    html = upload(console.login("op"), "customers", "name,birthday\n小美,1992-03-08\n", dry_run=False)
    assert "缺少用来匹配客户的列" in html and customers(console) == 0


def test_the_cli_imports_with_a_progress_bar(console: Console, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli.main import main

    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    monkeypatch.setenv("SIYU_DATABASE__URL", console.runtime.config.database.url)
    monkeypatch.setenv("SIYU_BOT__PLAYBOOKS_DIR", console.runtime.config.bot.playbooks_dir)
    monkeypatch.setenv("SIYU_WECOM__ENABLED", "false")  # an install without WeCom keys yet (else refused)
    assert main(["import", "customers", str(path), "--dry-run"]) == 1
    out = capsys.readouterr()
    assert "3 would be created" in out.out and f"{path}:3: birthday" in out.out and "5/5" in out.err
    assert customers(console) == 0
    main(["import", "customers", str(path)])
    assert customers(console) == 3
