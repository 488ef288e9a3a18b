"""The business JSON API: bearer auth, customer listing and filters, events with validation,
guides' follow-up tasks."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from bot.models import Event
from tests.support.guide_tasks import open_task, wecom_customer
from tests.support.harness import Harness


@pytest.fixture
def two_customers(harness: Harness) -> tuple[str, str]:
    a = harness.sim.add_customer("小美", userid="guide_li", state="store_sh")["external_userid"]
    b = harness.sim.add_customer("小王", userid="guide_wang")["external_userid"]
    harness.settle()
    return a, b


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic dGVzdA==", "Bearer "])
def test_missing_or_wrong_token_is_401(harness: Harness, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for method, path in [("GET", "/api/customers"), ("GET", "/api/customers/1"), ("GET", "/api/messages?customer=1"),
                         ("POST", "/api/events"), ("GET", "/api/guide-tasks?staff=guide_li")]:
        response = requests.request(method, f"{harness.bot_url}{path}", headers=headers, json={}, timeout=5)
        assert response.status_code == 401, (method, path)


def test_customers_list_with_filters(harness: Harness, two_customers: tuple[str, str]) -> None:
    a, _ = two_customers
    everyone = harness.api("GET", "/api/customers").json()["items"]
    assert [c["name"] for c in everyone] == ["小美", "小王"]
    first = everyone[0]
    assert set(first) >= {"id", "name", "external_userid", "openid", "guide", "stage", "tags"}
    assert first["external_userid"] == a and first["guide"] == "guide_li" and first["stage"] == "new"
    assert [c["name"] for c in harness.api("GET", "/api/customers?guide=guide_wang").json()["items"]] == ["小王"]
    assert harness.api("GET", "/api/customers?stage=lost").json()["items"] == []
    assert harness.api("GET", "/api/customers?tag=意向:预约").json()["items"] == []
    assert harness.api("GET", "/api/customers?limit=abc").status_code == 400


def test_one_customer_and_messages(harness: Harness, two_customers: tuple[str, str]) -> None:
    a, _ = two_customers
    harness.sim.kf_message(a, "请问周六能约吗")
    harness.settle()
    customer = harness.api("GET", "/api/customers?guide=guide_li").json()["items"][0]
    detail = harness.api("GET", f"/api/customers/{customer['id']}")
    assert detail.status_code == 200 and detail.json()["name"] == "小美"
    assert harness.api("GET", "/api/customers/9999").status_code == 404
    messages = harness.api("GET", f"/api/messages?customer={customer['id']}").json()["items"]
    assert [(m["direction"], m["channel"], m["content"]) for m in messages][:1] == [("in", "kf", "请问周六能约吗")]
    assert any(m["channel"] == "welcome" and m["status"] == "sent" for m in messages)
    assert harness.api("GET", "/api/messages").status_code == 400
    assert harness.api("GET", "/api/messages?customer=x").status_code == 400


def test_post_event_is_accepted_and_stored(harness: Harness, two_customers: tuple[str, str]) -> None:
    a, _ = two_customers
    response = harness.api("POST", "/api/events", json={
        "customer": {"external_userid": a}, "type": "treatment_completed",
        "at": "2026-11-20T15:00:00+08:00", "data": {"item": "水光针"},
    })
    assert response.status_code == 202, response.text
    with harness.db.session() as session:
        event = session.scalars(select(Event).where(Event.type == "treatment_completed")).one()
        assert event.data == {"item": "水光针"} and event.source == "api"
        assert event.occurred_at.isoformat() == "2026-11-20T07:00:00+00:00"


@pytest.mark.parametrize(("body", "field"), [
    ({"type": "purchase", "at": "2026-11-20T10:00:00+08:00"}, "customer"),
    ({"customer": {"external_userid": "x"}, "at": "2026-11-20T10:00:00+08:00"}, "type"),
    ({"customer": {"external_userid": "x"}, "type": "Bad Type!", "at": "2026-11-20T10:00:00+08:00"}, "type"),
    ({"customer": {"external_userid": "x"}, "type": "purchase", "at": "yesterday"}, "at"),
    ({"customer": {"external_userid": "x"}, "type": "purchase", "at": "2026-11-20T10:00:00"}, "at"),
    ({"customer": {}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00"}, "customer"),
    ({"customer": {"id": 1, "openid": "o"}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00"}, "customer"),
    ({"customer": {"id": 1}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00", "extra": 1}, "extra"),
    ({"customer": {"id": 1}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00", "data": [1]}, "data"),
])
def test_bad_event_is_400_naming_the_field(harness: Harness, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = harness.api("POST", "/api/events", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["field"].startswith(field)


def test_event_for_an_unknown_customer_is_404(harness: Harness) -> None:
    response = harness.api("POST", "/api/events", json={
        "customer": {"openid": "nobody"}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00"})
    assert response.status_code == 404 and response.json()["field"] == "customer"


def test_non_json_body_is_400(harness: Harness) -> None:
    response = harness.api("POST", "/api/events", data="not json", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400


def test_guide_tasks_by_guide_and_status_oldest_first(harness: Harness) -> None:
    h = harness
    wang = wecom_customer(h, "王女士")
    first, second = open_task(h, wang, text="第一条"), open_task(h, wang, text="第二条")
    other = open_task(h, wecom_customer(h, "钱女士", guide="guide_wang"), guide="guide_wang")
    h.sim.staff_text("guide_li", f"完成 {second}")
    h.settle()

    def ids(query: str) -> list[int]:
        response = h.api("GET", f"/api/guide-tasks{query}")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    [item] = h.api("GET", "/api/guide-tasks?staff=guide_li&status=open").json()["items"]
    assert item["id"] == first and item["staff"] == "guide_li" and item["status"] == "open"
    assert item["customer"] == {"id": wang, "name": "王女士"}
    assert (item["text"], item["source"], item["delivery_id"], item["done_at"]) == ("第一条", "术后回访", None, None)
    [done] = h.api("GET", "/api/guide-tasks?staff=guide_li&status=done").json()["items"]
    assert done["id"] == second and done["done_at"] is not None
    assert ids("") == [first, other]                                    # open tasks of every guide
    assert ids("?status=all") == [first, second, other]
    assert ids("?status=all&limit=1&offset=1") == [second]
    assert ids("?staff=nobody") == []


@pytest.mark.parametrize(("query", "field"), [
    ("status=closed", "status"),
    ("staff=", "staff"),
    ("staff=" + "x" * 65, "staff"),
    ("limit=abc", "limit"),
    ("limit=1000", "limit"),
    ("offset=-1", "offset"),
])
def test_bad_guide_task_query_is_400_naming_the_field(harness: Harness, query: str, field: str) -> None:
    response = harness.api("GET", f"/api/guide-tasks?{query}")
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field and response.json()["message"].startswith(f"{field}: ")
