"""Property-based: whatever a client sends to the API or the webhooks, the answer is never a 500,
and a refused request writes nothing. Hypothesis generates the hostile values (huge and unicode
numbers, NUL, lone surrogates, NaN, deep nesting, calendar edges, over-long XML fields), on both
databases, over real HTTP."""

from __future__ import annotations

import json
import time
from urllib.parse import quote
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.models import Base
from tests.support.harness import API_TOKEN, Harness

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

numbers_as_text = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["²", "٣", "１２", "1e3", "0x10", " 7", "7 ", "", "-0", "00000000000000000000001"]),
    st.text(max_size=8),
)
hostile_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x" * 300, "小美", "'; DROP TABLE customers; --", "%00"]),
)
moments = st.one_of(
    st.sampled_from(["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-14:00", "1969-12-31T23:59:59Z",
                     "2026-02-30T10:00:00+08:00", "2026-11-20T10:00:00+08:00", "2026-11-20T10:00:00",
                     "2100-01-01T00:00:00Z", "2026-11-20T25:00:00+08:00", "1970-01-01T00:00:00Z"]),
    st.datetimes().map(lambda d: d.isoformat() + "+08:00"),
)
json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True), hostile_text,
)
json_values = st.recursive(json_leaves, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(hostile_text, children, max_size=3)), max_leaves=12)
customer_refs = st.one_of(
    st.fixed_dictionaries({"id": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), hostile_text)}),
    st.fixed_dictionaries({"external_userid": hostile_text}),
    st.fixed_dictionaries({"openid": hostile_text}),
    st.dictionaries(hostile_text, json_leaves, max_size=2),
)
event_bodies = st.fixed_dictionaries({
    "customer": customer_refs,
    "type": st.one_of(st.just("purchase"), hostile_text),
    "at": moments,
}, optional={"data": json_values, "idempotency_key": hostile_text})


def url_part(text: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included as the invalid bytes a hostile client would send."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def api_requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], Any]:
    """(method, path, query, body): every endpoint, with hostile ids, query values and bodies."""
    ident = draw(numbers_as_text)
    choice = draw(st.integers(min_value=0, max_value=7))
    query_value = draw(st.one_of(hostile_text, numbers_as_text))
    if choice == 0:
        name = draw(st.sampled_from(["limit", "offset", "tag", "guide", "stage"]))
        return "GET", "/api/customers", {name: query_value}, None
    if choice == 1:
        return "GET", f"/api/customers/{url_part(ident)}", {}, None
    if choice == 2:
        return "GET", "/api/messages", {"customer": ident, "limit": draw(numbers_as_text)}, None
    if choice == 3:
        name = draw(st.sampled_from(["staff", "status", "limit", "offset"]))
        return "GET", "/api/guide-tasks", {name: query_value}, None
    if choice == 4:
        body = draw(st.one_of(event_bodies, json_values, st.just(deep(draw(st.integers(1, 6000))))))
        return "POST", "/api/events", {}, body
    if choice == 5:
        body = draw(st.one_of(st.fixed_dictionaries({"name": hostile_text}, optional={"reason": hostile_text}),
                              json_values))
        return "POST", f"/api/customers/{url_part(ident)}/tags", {}, body
    if choice == 6:
        body = draw(st.one_of(st.fixed_dictionaries({}, optional={
            "name": hostile_text, "birthday": st.one_of(moments, hostile_text, st.dates().map(str)),
            "attributes": st.dictionaries(hostile_text, json_leaves, max_size=3)}), json_values))
        return "PATCH", f"/api/customers/{url_part(ident)}", {}, body
    tag = url_part(draw(hostile_text)) or "x"
    return "DELETE", f"/api/customers/{url_part(ident)}/tags/{tag}", {}, None


@pytest.fixture
def h(database_url: str) -> Iterator[Harness]:
    harness = Harness(database_url)
    harness.seed_staff()
    harness.sim.add_customer("小美", userid="guide_li")
    harness.settle()
    yield harness
    harness.close()


def row_counts(h: Harness) -> dict[str, int]:
    with h.db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables}


def send(h: Harness, method: str, path: str, query: dict[str, str], body: Any) -> requests.Response:
    if isinstance(body, str):
        data = body.encode()
    else:
        data = json.dumps(body).encode() if body is not None else None  # NaN and Infinity go out as such
    query_string = "&".join(f"{url_part(name)}={url_part(value)}" for name, value in query.items())
    url = f"{h.bot_url}{path}" + (f"?{query_string}" if query_string else "")
    return requests.request(method, url, data=data, timeout=20, headers={
        "Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"})


def test_the_api_never_answers_500_and_a_refusal_writes_nothing(h: Harness) -> None:
    @PROPERTY_SETTINGS
    @given(api_requests())
    def check(request: tuple[str, str, dict[str, str], Any]) -> None:
        before = row_counts(h)
        response = send(h, *request)
        assert response.status_code < 500, (request, response.status_code, response.text[:300])
        if response.status_code >= 400:
            assert row_counts(h) == before, request

    check()


xml_field_values = st.one_of(st.text(max_size=40), st.text(min_size=100, max_size=400),
                             st.sampled_from(["", "<b>1</b>", "1700000000", "-1", "１７"]))


@st.composite
def pushes(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ToUserName": draw(st.one_of(st.just("corp"), xml_field_values)),
        "FromUserName": draw(st.one_of(st.sampled_from(["guide_li", "wm_someone"]), xml_field_values)),
        "CreateTime": draw(st.one_of(st.just(str(int(time.time()))), xml_field_values)),
        "MsgType": draw(st.one_of(st.sampled_from(["text", "event", "image"]), xml_field_values)),
    }
    optional = {"MsgId": xml_field_values, "Content": xml_field_values, "Event": xml_field_values,
                "ChangeType": xml_field_values, "ExternalUserID": xml_field_values, "UserID": xml_field_values,
                "State": xml_field_values, "AgentID": xml_field_values, "Nested": st.just({"a": {"b": "c"}})}
    for name, strategy in optional.items():
        if draw(st.booleans()):
            fields[name] = draw(strategy)
    return fields


def test_the_webhook_never_answers_500_and_a_refusal_stores_nothing(h: Harness) -> None:
    config = h.sim_config
    crypto = WorkCrypto(config.token, config.encoding_aes_key, config.corp_id)

    @PROPERTY_SETTINGS
    @given(pushes())
    def check(fields: dict[str, Any]) -> None:
        try:
            xml = xmltodict.unparse({"xml": fields})
        except ValueError:  # text XML cannot carry (control characters): nobody can encrypt and sign it
            return
        timestamp, nonce = str(int(time.time())), "5150"
        envelope = crypto.encrypt_message(xml, nonce, timestamp)
        signature = xmltodict.parse(envelope)["xml"]["MsgSignature"]
        h.settle()  # an earlier accepted push is routed after its ack: let it finish before counting
        before = row_counts(h)
        response = requests.post(f"{h.bot_url}/wechat/work", data=envelope.encode(), timeout=20, params={
            "msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
        assert response.status_code < 500, (fields, response.status_code, response.text[:300])
        if response.status_code >= 400:
            assert row_counts(h) == before, fields

    check()
