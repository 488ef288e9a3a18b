"""Followers have no nickname any more (user/info since 2021-12-27): the console says so."""

from __future__ import annotations

from bot.models import Customer
from tests.console.conftest import Console


def test_a_follower_without_a_name_is_shown_as_unknown_and_why(console: Console) -> None:
    console.add_user("op", "operator")
    with console.runtime.db.session() as session:
        service = console.runtime.customers(session)
        follower = service.from_mp("oNONAME")
        service.name_from_what_we_have(follower)
        session.flush()
        follower_id = follower.id
    client = console.login("op")

    listed = client.get("/console/customers").get_data(as_text=True)
    detail = client.get(f"/console/customers/{follower_id}").get_data(as_text=True)

    assert f"客户 #{follower_id}" in listed and "姓名未知" in listed
    assert "微信公众号自 2021-12-27 起不再提供粉丝昵称" in detail
    with console.runtime.db.session() as session:
        assert session.get(Customer, follower_id).attributes["name_source"] == "none"
