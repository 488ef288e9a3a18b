"""Input that one of the databases cannot store is a 4xx naming the field, on both databases,
and nothing is written; a business system's retried event is stored once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from bot.models import Base, Event
from tests.support.harness import API_TOKEN, Harness


@pytest.fixture
def h(database_url: str) -> Iterator[Harness]:
    harness = Harness(database_url)
    harness.seed_staff()
    yield harness
    harness.close()


@pytest.fixture
def customer(h: Harness) -> str:
    external_userid = h.sim.add_customer("小美", userid="guide_li")["external_userid"]
    h.settle()
    return external_userid


def row_counts(h: Harness) -> dict[str, int]:
    with h.db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables}


def event_body(external_userid: str, **overrides: Any) -> dict[str, Any]:
    return {"customer": {"external_userid": external_userid}, "type": "purchase",
            "at": "2026-11-20T10:00:00+08:00", "data": {"amount": 880}, **overrides}


def post_raw(h: Harness, body: str | bytes, **headers: str) -> requests.Response:
    return h.api("POST", "/api/events", data=body if isinstance(body, bytes) else body.encode(),
                 headers={"Content-Type": "application/json", **headers})


def test_a_non_ascii_bearer_token_is_401_not_500(h: Harness) -> None:
    response = requests.get(f"{h.bot_url}/api/customers", timeout=5,
                            headers={"Authorization": "Bearer 令牌".encode().decode("latin-1")})
    assert response.status_code == 401


@pytest.mark.parametrize("path", [
    "/api/customers/99999999999999999999", "/api/customers/2147483648", "/api/customers/²",
    "/api/customers/-1", "/api/customers/0", "/api/messages?customer=²", "/api/messages?customer=9" + "9" * 30,
    "/api/customers?offset=99999999999999999999", "/api/customers?limit=²", "/api/customers?offset=-1",
    "/api/customers?tag=%00", "/api/customers?guide=a%00b", "/api/guide-tasks?staff=%00",
])
def test_ids_and_query_values_out_of_range_are_4xx_naming_the_field(h: Harness, path: str) -> None:
    response = h.api("GET", path)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    if response.status_code == 400:
        assert response.json()["field"], response.text


@pytest.mark.parametrize(("change", "field"), [
    ({"at": "0001-01-01T00:00:00+08:00"}, "at"),
    ({"at": "9999-12-31T23:59:59-08:00"}, "at"),
    ({"at": "1969-12-31T23:59:59+00:00"}, "at"),
    ({"customer": {"id": 2**31}}, "customer.id"),
    ({"customer": {"id": 2**70}}, "customer.id"),
    ({"type": "purchase\u0000"}, "type"),
    ({"data": {"note": "a\u0000b"}}, "data.note"),
    ({"data": {"n": 2**64}}, "data.n"),
    ({"data": {"n\u0000": 1}}, "data key"),
    ({"idempotency_key": "k" * 129}, "idempotency_key"),
])
def test_event_values_no_database_can_store_are_400(h: Harness, customer: str, change: dict[str, Any],
                                                       field: str) -> None:
    before = row_counts(h)
    response = h.api("POST", "/api/events", json=event_body(customer, **change))
    assert response.status_code == 400, response.text
    assert response.json()["field"].startswith(field.split(".")[0]), response.text
    assert row_counts(h) == before


@pytest.mark.parametrize("raw", [
    '{"customer": {"external_userid": "x"}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00", '
    '"data": {"amount": NaN}}',
    '{"customer": {"external_userid": "x"}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00", '
    '"data": {"amount": Infinity}}',
    '{"customer": {"external_userid": "x"}, "type": "purchase", "at": "2026-11-20T10:00:00+08:00", '
    '"data": {"note": "\\ud800"}}',
    '{"data": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"data": ' + '{"a": ' * 20 + "1" + "}" * 20 + "}",
    "[1, 2, 3]",
    "not json",
])
def test_hostile_json_is_400(h: Harness, customer: str, raw: str) -> None:
    before = row_counts(h)
    response = post_raw(h, raw)
    assert response.status_code == 400, response.text
    assert row_counts(h) == before


def test_a_body_with_invalid_utf8_is_400(h: Harness) -> None:
    assert post_raw(h, b'{"type": "\xff\xfe"}').status_code == 400


def test_a_retried_event_with_the_same_key_is_stored_once(h: Harness, customer: str) -> None:
    first = h.api("POST", "/api/events", json=event_body(customer), headers={"Idempotency-Key": "order-1001"})
    again = h.api("POST", "/api/events", json=event_body(customer), headers={"Idempotency-Key": "order-1001"})
    as_field = h.api("POST", "/api/events", json=event_body(customer, idempotency_key="order-1001"))
    assert first.status_code == 202 and again.status_code == 200 and as_field.status_code == 200
    assert again.json()["id"] == first.json()["id"] == as_field.json()["id"] and again.json()["replayed"]
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "purchase")) == 1


def test_a_key_reused_for_another_event_is_a_conflict(h: Harness, customer: str) -> None:
    assert h.api("POST", "/api/events", json=event_body(customer, idempotency_key="k1")).status_code == 202
    clash = h.api("POST", "/api/events", json=event_body(customer, idempotency_key="k1", type="refund"))
    assert clash.status_code == 409 and clash.json()["field"] == "idempotency_key"
    mismatch = h.api("POST", "/api/events", json=event_body(customer, idempotency_key="k2"),
                     headers={"Idempotency-Key": "k3"})
    assert mismatch.status_code == 400


def test_events_without_a_key_are_each_stored(h: Harness, customer: str) -> None:
    for _ in range(2):
        assert h.api("POST", "/api/events", json=event_body(customer)).status_code == 202
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "purchase")) == 2


def test_concurrent_retries_of_one_event_store_it_once(h: Harness, customer: str) -> None:
    body = json.dumps(event_body(customer, idempotency_key="burst-7")).encode()
    answers: list[int] = []

    def post() -> None:
        answers.append(requests.post(f"{h.bot_url}/api/events", data=body, timeout=20, headers={
            "Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers).count(202) == 1 and set(answers) <= {200, 202}, answers
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.idempotency_key == "burst-7")) == 1
