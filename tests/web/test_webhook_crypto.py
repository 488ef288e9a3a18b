"""The WeCom callback against the crypto vectors WeCom publishes (also used by wechatpy's tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import config_from_dict

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"

VERIFY = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
PUSH_QUERY = {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": "1409659813",
              "nonce": "1372623149"}
PUSH_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA["
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/s"
    "YYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZf"
    "JYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LA"
    "VGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H"
    "3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt>"
    "<AgentID><![CDATA[218]]></AgentID></xml>"
)


@pytest.fixture
def client(sqlite_url: str):  # type: ignore[no-untyped-def]
    from handlers import routers

    config = config_from_dict({
        "database": {"url": sqlite_url},
        # Callback keys only: no secret, so no API client (the start-up check allows it as disabled).
        "wecom": {"enabled": False, "corp_id": CORP_ID, "token": TOKEN, "encoding_aes_key": AES_KEY},
    })
    # The vectors were signed in 2014: the bot receives them at that time, inside the replay window.
    app = create_app(config, routers(), FrozenClock(datetime.fromtimestamp(1409659813, UTC)))
    yield app.test_client()
    app.extensions["siyu"].close()


def test_url_verification_returns_the_decrypted_echostr(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/wechat/work", query_string=VERIFY)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "1616140317555161061"


def test_published_push_is_stored_and_routed(client) -> None:  # type: ignore[no-untyped-def]
    from bot.models import Callback, Message

    response = client.post("/wechat/work", query_string=PUSH_QUERY, data=PUSH_BODY)
    assert response.status_code == 200
    runtime = client.application.extensions["siyu"]
    runtime.processor.drain()  # routing happens after the ack
    with runtime.db.session() as session:
        callback = session.query(Callback).one()
        assert callback.kind == "text" and callback.status == "processed"
        assert "<Content><![CDATA[hello]]></Content>" in callback.body
        message = session.query(Message).one()
        assert message.content == "hello" and message.channel == "wecom_app"


def test_verification_with_a_wrong_signature_is_403(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/wechat/work", query_string={**VERIFY, "msg_signature": "0" * 40})
    assert response.status_code == 403


def test_push_signed_for_another_timestamp_is_403_and_not_stored(client) -> None:  # type: ignore[no-untyped-def]
    from bot.models import Callback

    response = client.post("/wechat/work", query_string={**PUSH_QUERY, "timestamp": "1409659814"}, data=PUSH_BODY)
    assert response.status_code == 403
    with client.application.extensions["siyu"].db.session() as session:
        assert session.query(Callback).count() == 0
