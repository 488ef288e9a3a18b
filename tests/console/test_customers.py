"""客户 and 客户详情: filters, paging, bulk tags, CSV export, profile edits, timeline; PATCH for attributes."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from bot.models import Customer, Delivery, Enrolment, PlaybookVersion
from tests.console.conftest import Console, csrf_token


def _names(html: str, *candidates: str) -> set[str]:
    return {name for name in candidates if name in html}


def test_filters_narrow_the_list(console: Console) -> None:
    console.add_user("op", "operator")
    now = console.clock.now()
    console.customer("小美", guide="guide_li", state="store_sh", stage="active", value_tier="high",
                     last_active_at=now - timedelta(days=1))
    console.customer("王先生", guide="guide_wang", state="poster_2026", stage="dormant",
                     last_active_at=now - timedelta(days=40))
    console.customer("陈女士", guide="guide_li", stage="lost")
    client = console.login("op")
    everyone = ("小美", "王先生", "陈女士")
    assert _names(client.get("/console/customers").get_data(as_text=True), *everyone) == set(everyone)
    for query, expected in [("stage=dormant", {"王先生"}), ("tier=high", {"小美"}),
                            ("guide=guide_li", {"小美", "陈女士"}), ("channel=poster_2026", {"王先生"}),
                            ("q=陈", {"陈女士"}), ("active_days=7", {"小美"}),
                            ("inactive_days=30", {"王先生", "陈女士"})]:
        html = client.get(f"/console/customers?{query}").get_data(as_text=True)
        assert _names(html, *everyone) == expected, query


def test_pages_of_fifty(console: Console) -> None:
    console.add_user("op", "operator")
    for i in range(55):
        console.customer(f"客户{i:02d}")
    client = console.login("op")
    first = client.get("/console/customers").get_data(as_text=True)
    second = client.get("/console/customers?page=2").get_data(as_text=True)
    assert "55 位" in first and "第 1 / 2 页" in first
    assert second.count("/console/customers/") - second.count("/console/customers/bulk") == 5


def test_bulk_tag_and_export_the_filtered_list(console: Console) -> None:
    console.add_user("op", "operator")
    console.customer("小美", guide="guide_li", stage="active")
    console.customer("王先生", guide="guide_wang", stage="dormant")
    client = console.login("op")
    token = csrf_token(client, "/console/customers")
    response = client.post("/console/customers/bulk-tag", data={"stage": "dormant", "tag_name": "唤醒名单",
                                                                 "csrf_token": token})
    assert response.status_code == 302
    exported = client.get("/console/customers.csv?tag=唤醒名单").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][:2] == ["id", "姓名"] and [r[1] for r in rows[1:]] == ["王先生"]
    assert "唤醒名单" in rows[1][9]


def test_detail_shows_tags_with_their_reason_and_one_timeline(console: Console) -> None:
    console.add_user("op", "operator")
    customer_id = console.customer("小美", guide="guide_li")
    runtime = console.runtime
    with runtime.db.session() as session:
        customer = session.get(Customer, customer_id)
        service = runtime.customers(session)
        service.record_inbound(customer, channel="kf", msg_type="text", content="想问下水光针多少钱",
                               at=console.clock.now())
        version = session.scalar(select(PlaybookVersion).where(PlaybookVersion.playbook_id == "welcome-series"))
        enrolment = Enrolment(customer_id=customer_id, playbook_id="welcome-series", version_id=version.id,
                              trigger_type="event", trigger_at=console.clock.now(), enrolled_at=console.clock.now(),
                              settle_after=console.clock.now() + timedelta(days=7))
        session.add(enrolment)
        session.flush()
        session.add(Delivery(enrolment_id=enrolment.id, customer_id=customer_id, playbook_id="welcome-series",
                             step_id="day1", idempotency_key="x:1", due_at=console.clock.now(), status="failed",
                             errcode=45015, channel="kf"))
        session.add(Delivery(enrolment_id=enrolment.id, customer_id=customer_id, playbook_id="welcome-series",
                             step_id="day7", idempotency_key="x:7", due_at=console.clock.now() + timedelta(days=7)))
    client = console.login("op")
    html = client.get(f"/console/customers/{customer_id}").get_data(as_text=True)
    assert "想问下水光针多少钱" in html
    assert "errcode=45015" in html and "剧本 welcome-series · day1" in html
    assert "进行中的剧本" in html and "day7" in html
    token = csrf_token(client, f"/console/customers/{customer_id}")
    client.post(f"/console/customers/{customer_id}/tags", data={"tag_name": "VIP", "reason": "年卡会员",
                                                                 "csrf_token": token})
    client.post(f"/console/customers/{customer_id}/events", data={"type": "purchase", "amount": "1280",
                                                                   "csrf_token": token})
    html = client.get(f"/console/customers/{customer_id}").get_data(as_text=True)
    assert "VIP" in html and "年卡会员" in html and "事件 · purchase" in html and "amount=1280.0" in html
    client.post(f"/console/customers/{customer_id}/enrolments/{enrolment.id}/stop", data={"csrf_token": token})
    with runtime.db.session() as session:
        assert session.scalar(select(Delivery.status).where(Delivery.step_id == "day7")) == "cancelled"


def test_birthday_and_custom_fields_are_editable_and_bad_input_keeps_the_old_value(console: Console) -> None:
    console.add_user("op", "operator")
    customer_id = console.customer("小美")
    client = console.login("op")
    token = csrf_token(client, f"/console/customers/{customer_id}")
    client.post(f"/console/customers/{customer_id}/profile",
                data={"name": "小美", "birthday": "1992-03-08", "new_key": "会员卡号", "new_value": "A1001",
                      "csrf_token": token})
    bad = client.post(f"/console/customers/{customer_id}/profile",
                      data={"name": "小美", "birthday": "3月8日", "csrf_token": token}, follow_redirects=True)
    assert "生日格式应为 YYYY-MM-DD" in bad.get_data(as_text=True)
    with console.runtime.db.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer.birthday == date(1992, 3, 8) and customer.attributes == {"会员卡号": "A1001"}
    client.post(f"/console/customers/{customer_id}/profile",
                data={"name": "小美", "birthday": "1992-03-08", "attr_key": "会员卡号", "attr_value_会员卡号": "",
                      "csrf_token": token})
    with console.runtime.db.session() as session:
        assert session.get(Customer, customer_id).attributes == {}


def test_patch_customer_attributes_over_the_api(console: Console) -> None:
    console.runtime.config.api.tokens.append(type(console.runtime.config.console.secret_key)("api-token"))
    customer_id = console.customer("小美")
    client = console.client()
    headers = {"Authorization": "Bearer api-token"}
    ok = client.patch(f"/api/customers/{customer_id}", headers=headers,
                      json={"birthday": "1990-05-01", "attributes": {"city": "上海", "visits": 3}})
    assert ok.status_code == 200 and ok.json["birthday"] == "1990-05-01"
    assert ok.json["attributes"] == {"city": "上海", "visits": 3}
    removed = client.patch(f"/api/customers/{customer_id}", headers=headers, json={"attributes": {"city": None}})
    assert removed.json["attributes"] == {"visits": 3} and removed.json["birthday"] == "1990-05-01"
    bad = client.patch(f"/api/customers/{customer_id}", headers=headers, json={"birthday": "5月1日"})
    assert bad.status_code == 400 and bad.json["field"] == "birthday"
    assert client.patch(f"/api/customers/{customer_id}", headers=headers, json={"stage": "vip"}).status_code == 400
    assert client.patch("/api/customers/9999", headers=headers, json={}).status_code == 404
    assert client.patch(f"/api/customers/{customer_id}", json={}).status_code == 401
