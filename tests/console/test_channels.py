"""渠道活码 end to end: an operator makes a code in the console, a simulated customer adds the guide
through it, and the customer carries the code's tags and is counted on the page (both databases)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.console.accounts import AccountService
from bot.simulator.client import SimulatorError
from bot.models import AuditEntry, ChannelCode, Customer, CustomerTag, ReferralCode
from tests.console.conftest import PASSWORD, csrf_token
from tests.support.harness import Harness


@pytest.fixture
def shop(database_url: str, clock: FrozenClock) -> Iterator[Harness]:
    h = Harness(database_url, clock=clock, console={"secret_key": "test-secret-key", "secure_cookies": False})
    h.seed_staff()
    with h.db.session() as session:
        accounts = AccountService(session, clock, h.runtime.config.console)
        accounts.add("op", "operator", PASSWORD)
        for name, userid in (("li", "guide_li"), ("wang", "guide_wang")):
            accounts.add(name, "guide", PASSWORD, userid)
    yield h
    h.close()


def login(h: Harness, name: str) -> FlaskClient:
    client = h.app.test_client()
    response = client.post("/console/login", data={"username": name, "password": PASSWORD,
                                                   "csrf_token": csrf_token(client, "/console/login")})
    assert response.status_code == 302
    return client


def create(client: FlaskClient, **fields: object) -> tuple[int, str]:
    form = {"name": "门店海报", "state": "poster_a", "users": ["guide_li"], "tags": "渠道:门店海报，意向:到店",
            "remark": "", **fields, "csrf_token": csrf_token(client, "/console/channels")}
    response = client.post("/console/channels", data=form)
    return response.status_code, response.get_data(as_text=True)


def row(html: str, state: str) -> dict[str, str]:
    """The numbers of one code's row on the page."""
    match = re.search(rf'<tr data-state="{state}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {state}"
    return {name: re.search(rf'class="num {name}">(\d+)<', match.group(1)).group(1)  # type: ignore[union-attr]
            for name in ("adds", "kept", "converted")}


def test_a_code_made_in_the_console_tags_and_counts_who_adds_through_it(shop: Harness) -> None:
    h = shop
    op = login(h, "op")

    status, _ = create(op)

    assert status == 302
    with h.db.session() as session:
        code = session.scalars(select(ChannelCode)).one()
        config_id, qr_code = code.config_id, code.qr_code
    way = h.sim.contact_way(config_id)
    assert way["state"] == "poster_a" and way["user"] == ["guide_li"] and qr_code

    external = h.sim.add_customer("小美", config_id=config_id)["external_userid"]
    h.settle()

    with h.db.session() as session:
        customer = session.scalars(select(Customer).where(Customer.external_userid == external)).one()
        tags = {ct.tag.name: ct for ct in session.scalars(select(CustomerTag).where(
            CustomerTag.customer_id == customer.id))}
        assert {"渠道:门店海报", "意向:到店"} <= set(tags)
        assert tags["渠道:门店海报"].source == "channel" and "门店海报" in tags["渠道:门店海报"].reason
    page = op.get("/console/channels").get_data(as_text=True)
    assert row(page, "poster_a") == {"adds": "1", "kept": "1", "converted": "0"}
    assert qr_code in page
    chart = json.loads(re.search(r'id="channel-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    today = h.runtime.clock.now().astimezone(h.runtime.config.scheduler.tz).date().isoformat()
    assert chart["codes"][0]["adds"] == {today: 1} and chart["days"][-1] == today

    h.api("POST", "/api/events", json={"customer": {"external_userid": external}, "type": "purchase",
                                       "at": h.runtime.clock.now().isoformat(), "data": {"amount": 399}})
    h.settle()
    assert row(op.get("/console/channels").get_data(as_text=True), "poster_a")["converted"] == "1"
    with h.db.session() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.target == "poster_a")) == "channel_create"


def test_guides_see_only_their_codes_and_cannot_make_them(shop: Harness) -> None:
    h = shop
    op = login(h, "op")
    create(op)
    create(op, name="王导购名片", state="card_wang", users=["guide_wang"], tags="")
    with h.db.session() as session:
        config_id = session.scalar(select(ChannelCode.config_id).where(ChannelCode.state == "poster_a"))
    h.sim.add_customer("小美", config_id=config_id)
    h.settle()

    li = login(h, "li").get("/console/channels").get_data(as_text=True)
    wang = login(h, "wang")
    wang_page = wang.get("/console/channels").get_data(as_text=True)

    assert row(li, "poster_a")["adds"] == "1" and "card_wang" not in li
    assert "poster_a" not in wang_page and row(wang_page, "card_wang")["adds"] == "0"
    assert "创建渠道活码" not in wang_page
    forged = wang.post("/console/channels", data={"name": "x", "state": "x", "users": ["guide_wang"],
                                                  "csrf_token": csrf_token(wang, "/console/channels")})
    assert forged.status_code == 403


def test_bad_input_is_refused_field_by_field_and_nothing_is_made(shop: Harness) -> None:
    op = login(shop, "op")
    create(op)

    status, html = create(op, name="", users=[], state="poster_a")
    assert status == 400
    assert "名称必填" in html and "至少选择一位导购" in html and "已被另一个渠道活码使用" in html
    status, html = create(op, state="ref_12", name="假推荐码")
    assert status == 400 and "推荐码的格式" in html
    with shop.db.session() as session:
        assert session.scalars(select(ChannelCode.state)).all() == ["poster_a"]


def test_editing_and_deleting_go_through_wecom_and_are_audited(shop: Harness) -> None:
    h = shop
    op = login(h, "op")
    create(op)
    with h.db.session() as session:
        code_id, config_id = session.execute(select(ChannelCode.id, ChannelCode.config_id)).one()

    def edit(**fields: object):  # type: ignore[no-untyped-def]
        return op.post(f"/console/channels/{code_id}", data={
            "name": "门店海报（王）", "state": "poster_b", "users": ["guide_wang"], "tags": "渠道:门店海报", **fields,
            "csrf_token": csrf_token(op, f"/console/channels/{code_id}")})

    refused = edit(users=["guide_li", "guide_wang"])
    assert refused.status_code == 400 and "单人码" in refused.get_data(as_text=True)
    assert edit().status_code == 302
    way = h.sim.contact_way(config_id)
    assert way["state"] == "poster_b" and way["user"] == ["guide_wang"]

    response = op.post(f"/console/channels/{code_id}/delete",
                       data={"csrf_token": csrf_token(op, "/console/channels")})
    assert response.status_code == 302
    with h.db.session() as session:
        assert session.scalars(select(ChannelCode)).all() == []
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("channel_%"))
                                  .order_by(AuditEntry.id)).all()
        changes = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "channel_update")).one()
    assert actions == ["channel_create", "channel_update", "channel_delete"]
    assert changes["changes"]["state"] == {"from": "poster_a", "to": "poster_b"}
    with pytest.raises(SimulatorError, match="unknown channel code"):  # gone at WeCom too
        h.sim.add_customer("小丽", config_id=config_id)


def test_referral_codes_roll_up_per_referrer(shop: Harness) -> None:
    h = shop
    referrer = h.sim.add_customer("老客户张姐", userid="guide_li")["external_userid"]
    h.settle()
    referrer_id = h.customer_id(external_userid=referrer)
    with h.db.session() as session:
        staff_id = h.runtime.customers(session).staff("guide_li").id
        session.add(ReferralCode(customer_id=referrer_id, staff_id=staff_id, state=f"ref_{referrer_id}",
                                 created_at=h.runtime.clock.now()))
    for name in ("朋友甲", "朋友乙"):
        h.sim.add_customer(name, userid="guide_li", state=f"ref_{referrer_id}")
    h.settle()

    page = login(h, "op").get("/console/channels").get_data(as_text=True)

    referrers = re.search(r'<table class="grid compact" id="referrers">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "老客户张姐" in referrers and f"ref_{referrer_id}" in referrers
    assert re.search(r'<td class="num">2</td>', referrers)
