"""Logging in, throttling, CSRF, roles, guide isolation and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.config import config_from_dict
from bot.app import create_app
from bot.models import AuditEntry
from tests.console.conftest import PASSWORD, Console, csrf_token


def test_login_with_the_right_password_and_not_with_a_wrong_one(console: Console) -> None:
    console.add_user("alice", "operator")
    client = console.client()
    assert client.get("/console/customers").status_code == 302  # to the login page
    token = csrf_token(client, "/console/login")
    wrong = client.post("/console/login", data={"username": "alice", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    unknown = client.post("/console/login", data={"username": "mallory", "password": PASSWORD, "csrf_token": token})
    assert unknown.status_code == 401
    ok = client.post("/console/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/console/dashboard")
    assert client.get("/console/customers").status_code == 200


def test_passwords_are_stored_hashed(console: Console) -> None:
    console.add_user("alice", "admin")
    with console.runtime.db.session() as session:
        from bot.models import ConsoleUser
        user = session.scalar(select(ConsoleUser))
        assert PASSWORD not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_repeated_failures_lock_the_name_until_the_window_passes(console: Console) -> None:
    console.add_user("alice", "operator")
    client = console.client()
    token = csrf_token(client, "/console/login")
    for _ in range(5):
        client.post("/console/login", data={"username": "alice", "password": "guess", "csrf_token": token})
    locked = client.post("/console/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    console.clock.advance(minutes=16)
    console.login("alice")


def test_a_form_without_the_csrf_token_is_rejected(console: Console) -> None:
    console.add_user("alice", "admin")
    customer = console.customer("小美")
    client = console.login("alice")
    response = client.post(f"/console/customers/{customer}/tags", data={"tag_name": "VIP"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    forged = client.post(f"/console/customers/{customer}/tags", data={"tag_name": "VIP", "csrf_token": "forged"})
    assert forged.status_code == 400
    login = console.client().post("/console/login", data={"username": "alice", "password": PASSWORD})
    assert login.status_code == 400
    with console.runtime.db.session() as session:
        assert not session.scalar(select(AuditEntry).where(AuditEntry.action == "customer_tag"))


def test_session_cookies_are_secure_by_default(database_url: str) -> None:
    config = config_from_dict({"database": {"url": database_url}, "wecom": {"enabled": False},
                               "console": {"secret_key": "k"}})
    app = create_app(config, routers=[])
    try:
        response = app.test_client().get("/console/login", base_url="https://console.example")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        app.extensions["siyu"].close()


def test_a_guide_sees_only_their_own_customers_in_lists_detail_and_export(console: Console) -> None:
    console.add_user("li", "guide", wecom_userid="guide_li")
    mine = console.customer("小美", guide="guide_li")
    theirs = console.customer("王先生", guide="guide_wang")
    client = console.login("li")
    listing = client.get("/console/customers").get_data(as_text=True)
    assert "小美" in listing and "王先生" not in listing
    assert client.get(f"/console/customers/{mine}").status_code == 200
    assert client.get(f"/console/customers/{theirs}").status_code == 404
    assert client.get("/console/customers?guide=guide_wang").get_data(as_text=True).count("王先生") == 0
    export = client.get("/console/customers.csv").get_data(as_text=True)
    assert "小美" in export and "王先生" not in export
    token = csrf_token(client, f"/console/customers/{mine}")
    tagged = client.post(f"/console/customers/{theirs}/tags", data={"tag_name": "x", "csrf_token": token})
    assert tagged.status_code == 404
    assert client.post(f"/console/customers/{theirs}/profile",
                       data={"birthday": "1990-01-01", "csrf_token": token}).status_code == 404


def test_only_an_admin_manages_users_and_reads_the_audit_log(console: Console) -> None:
    console.add_user("root", "admin")
    console.add_user("op", "operator")
    operator = console.login("op")
    assert operator.get("/console/users").status_code == 403
    assert operator.get("/console/audit").status_code == 403
    admin = console.login("root")
    token = csrf_token(admin, "/console/users")
    created = admin.post("/console/users", data={"username": "li", "role": "guide", "password": "guide-pass-1",
                                                 "wecom_userid": "guide_li", "csrf_token": token})
    assert created.status_code == 302
    console.login("li", "guide-pass-1")
    audit = admin.get("/console/audit").get_data(as_text=True)
    assert "新建用户" in audit and "li" in audit and "登录" in audit


def test_every_change_is_audited_with_who_and_what(console: Console) -> None:
    console.add_user("op", "operator")
    customer = console.customer("小美", guide="guide_li")
    client = console.login("op")
    token = csrf_token(client, f"/console/customers/{customer}")
    client.post(f"/console/customers/{customer}/tags", data={"tag_name": "VIP", "reason": "到店消费",
                                                              "csrf_token": token})
    client.post(f"/console/customers/{customer}/profile",
                data={"name": "小美", "birthday": "1992-03-08", "new_key": "城市", "new_value": "上海",
                      "csrf_token": token})
    with console.runtime.db.session() as session:
        entries = {e.action: e for e in session.scalars(select(AuditEntry))}
    assert entries["customer_tag"].username == "op" and entries["customer_tag"].detail["tag"] == "VIP"
    assert entries["customer_update"].detail == {"birthday": [None, "1992-03-08"], "attributes.城市": [None, "上海"]}
    assert entries["customer_update"].created_at == console.clock.now()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/api/customers"])
def test_login_never_redirects_off_the_console(console: Console, target: str) -> None:
    console.add_user("alice", "operator")
    client = console.client()
    token = csrf_token(client, "/console/login")
    response = client.post(f"/console/login?next={target}", data={"username": "alice", "password": PASSWORD,
                                                                   "csrf_token": token})
    assert response.headers["Location"].endswith("/console/dashboard")
