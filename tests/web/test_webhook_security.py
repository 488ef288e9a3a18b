"""Forged and replayed pushes are refused before anything is stored, on both databases:
a plaintext Official Account push while an AES key is set, and any push signed too long ago."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest
import requests
import xmltodict
from sqlalchemy import func, select
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.models import Message
from tests.support.harness import Harness

MP_TEXT = ("<xml><ToUserName>gh_sim</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>{at}</CreateTime>"
           "<MsgType>text</MsgType><Content>{text}</Content><MsgId>{msgid}</MsgId></xml>")
WORK_TEXT = ("<xml><ToUserName>{corp}</ToUserName><FromUserName>guide_li</FromUserName><CreateTime>{at}</CreateTime>"
             "<MsgType>text</MsgType><Content>帮助</Content><MsgId>{msgid}</MsgId><AgentID>1000002</AgentID></xml>")


@pytest.fixture
def h(database_url: str) -> Iterator[Harness]:
    harness = Harness(database_url)
    yield harness
    harness.close()


def stored(h: Harness) -> tuple[int, int]:
    with h.db.session() as session:
        return (h.stored_pushes(),
                session.scalar(select(func.count()).select_from(Message)) or 0)


def plain_query(h: Harness, timestamp: str, nonce: str = "4711") -> dict[str, str]:
    token = h.sim_config.mp_token
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def mp_safe_push(h: Harness, xml: str, timestamp: str) -> tuple[dict[str, str], bytes]:
    config = h.sim_config
    nonce = "8080"
    envelope = MpCrypto(config.mp_token, config.mp_encoding_aes_key, config.mp_app_id).encrypt_message(
        xml, nonce, timestamp)
    sealed = xmltodict.parse(envelope)["xml"]
    query = {**plain_query(h, timestamp, nonce), "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
    return query, envelope.encode()


def work_push(h: Harness, xml: str, timestamp: str) -> tuple[dict[str, str], bytes]:
    config = h.sim_config
    envelope = WorkCrypto(config.token, config.encoding_aes_key, config.corp_id).encrypt_message(xml, "99", timestamp)
    signature = xmltodict.parse(envelope)["xml"]["MsgSignature"]
    return {"msg_signature": signature, "timestamp": timestamp, "nonce": "99"}, envelope.encode()


def test_a_forged_plaintext_unsubscribe_is_refused_when_an_aes_key_is_set(h: Harness) -> None:
    """The plaintext signature covers token, timestamp and nonce only: a captured query string
    would let anyone post 退订 as any follower."""
    h.sim.mp_subscribe("o_victim")
    h.settle()
    before = stored(h)
    now = str(int(time.time()))
    forged = MP_TEXT.format(openid="o_victim", at=now, text="退订", msgid=424242)
    response = requests.post(f"{h.bot_url}/wechat/mp", params=plain_query(h, now), data=forged.encode(), timeout=5)
    assert response.status_code == 403
    assert stored(h) == before
    assert h.api("GET", f"/api/customers/{h.customer_id(openid='o_victim')}").json()["opted_out"] is False


def test_the_same_message_in_safe_mode_is_accepted(h: Harness) -> None:
    now = str(int(time.time()))
    query, body = mp_safe_push(h, MP_TEXT.format(openid="o_real", at=now, text="你好", msgid=5151), now)
    response = requests.post(f"{h.bot_url}/wechat/mp", params=query, data=body, timeout=5)
    assert response.status_code == 200
    assert stored(h)[0] == 1


def test_plaintext_is_accepted_when_the_operator_allows_it(database_url: str) -> None:
    h = Harness(database_url, mp={"allow_plaintext": True})
    try:
        now = str(int(time.time()))
        xml = MP_TEXT.format(openid="o_compat", at=now, text="你好", msgid=6161)
        response = requests.post(f"{h.bot_url}/wechat/mp", params=plain_query(h, now), data=xml.encode(), timeout=5)
        assert response.status_code == 200
        assert stored(h)[0] == 1
    finally:
        h.close()


@pytest.mark.parametrize("age", [301, 3600, 30 * 86400, -400])
def test_a_push_signed_outside_the_window_is_refused(h: Harness, age: int) -> None:
    """A correctly signed and encrypted push captured earlier (or stamped in the future) is a replay."""
    at = str(int(time.time()) - age)
    query, body = work_push(h, WORK_TEXT.format(corp=h.sim_config.corp_id, at=at, msgid=7000 + age), at)
    assert requests.post(f"{h.bot_url}/wechat/work", params=query, data=body, timeout=5).status_code == 403
    query, body = mp_safe_push(h, MP_TEXT.format(openid="o_late", at=at, text="退订", msgid=8000 + age), at)
    assert requests.post(f"{h.bot_url}/wechat/mp", params=query, data=body, timeout=5).status_code == 403
    assert stored(h) == (0, 0)


def test_a_push_within_the_window_is_accepted(h: Harness) -> None:
    at = str(int(time.time()) - 60)  # WeCom's retries come within seconds; clocks drift a little
    query, body = work_push(h, WORK_TEXT.format(corp=h.sim_config.corp_id, at=at, msgid=9001), at)
    assert requests.post(f"{h.bot_url}/wechat/work", params=query, data=body, timeout=5).status_code == 200
    assert stored(h)[0] == 1


@pytest.mark.parametrize("timestamp", ["soon", "１７００", "9" * 40, "-5"])
def test_a_timestamp_that_is_not_unix_seconds_is_a_bad_request(h: Harness, timestamp: str) -> None:
    query = {**plain_query(h, timestamp), "encrypt_type": "aes", "msg_signature": "x"}
    assert requests.post(f"{h.bot_url}/wechat/mp", params=query, data=b"<xml/>", timeout=5).status_code in (400, 403)
    assert stored(h) == (0, 0)


def test_the_window_is_configurable_and_can_be_switched_off(sqlite_url: str) -> None:
    h = Harness(sqlite_url, webhook={"max_timestamp_age_seconds": 0})
    try:
        at = str(int(time.time()) - 86400)
        query, body = work_push(h, WORK_TEXT.format(corp=h.sim_config.corp_id, at=at, msgid=1234), at)
        assert requests.post(f"{h.bot_url}/wechat/work", params=query, data=body, timeout=5).status_code == 200
    finally:
        h.close()
