"""Bad input never reaches a handler and never gets a 500: 403 for a bad signature, 400 for a
malformed body, 413 for an oversized one. Real HTTP against the running bot."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.models import Message
from tests.support.harness import Harness

TEXT = ("<xml><ToUserName>{to}</ToUserName><FromUserName>{frm}</FromUserName><CreateTime>1700000000</CreateTime>"
        "<MsgType>text</MsgType><Content>你好</Content><MsgId>{msgid}</MsgId><AgentID>1000002</AgentID></xml>")


@pytest.fixture
def h(sqlite_url: str):  # type: ignore[no-untyped-def]
    harness = Harness(sqlite_url)
    yield harness
    harness.close()


def stored(h: Harness) -> int:
    return h.stored_pushes()


def work_push(h: Harness, xml: str, corp_id: str | None = None) -> tuple[dict[str, str], str]:
    crypto = WorkCrypto(h.sim_config.token, h.sim_config.encoding_aes_key, corp_id or h.sim_config.corp_id)
    nonce, timestamp = "12345", str(int(time.time()))
    envelope = crypto.encrypt_message(xml, nonce, timestamp)
    import xmltodict

    signature = xmltodict.parse(envelope)["xml"]["MsgSignature"]
    return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}, envelope


def signed(token: str, *parts: str) -> str:
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def test_a_good_push_is_accepted(h: Harness) -> None:
    query, body = work_push(h, TEXT.format(to=h.sim_config.corp_id, frm="guide_li", msgid=1))
    response = requests.post(f"{h.bot_url}/wechat/work", params=query, data=body.encode(), timeout=5)
    assert response.status_code == 200 and stored(h) == 1


@pytest.mark.parametrize("drop", ["msg_signature", "timestamp", "nonce", "echostr"])
def test_verification_without_a_parameter_is_400(h: Harness, drop: str) -> None:
    query = {"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2", "echostr": "abc"}
    query.pop(drop)
    response = requests.get(f"{h.bot_url}/wechat/work", params=query, timeout=5)
    assert response.status_code == 400 and drop in response.json()["message"]


def test_verification_round_trip_through_the_simulators_keys(h: Harness) -> None:
    crypto = WorkCrypto(h.sim_config.token, h.sim_config.encoding_aes_key, h.sim_config.corp_id)
    envelope = crypto.encrypt_message("echo-8675309", "n1", "1700000000")
    import xmltodict

    fields = xmltodict.parse(envelope)["xml"]
    query = {"msg_signature": fields["MsgSignature"], "timestamp": "1700000000", "nonce": "n1",
             "echostr": fields["Encrypt"]}
    response = requests.get(f"{h.bot_url}/wechat/work", params=query, timeout=5)
    assert response.status_code == 200 and response.text == "echo-8675309"


def test_push_with_a_forged_signature_is_403(h: Harness) -> None:
    query, body = work_push(h, TEXT.format(to=h.sim_config.corp_id, frm="guide_li", msgid=2))
    query["msg_signature"] = "f" * 40
    response = requests.post(f"{h.bot_url}/wechat/work", params=query, data=body.encode(), timeout=5)
    assert response.status_code == 403 and stored(h) == 0


def test_push_encrypted_for_another_corp_is_403(h: Harness) -> None:
    query, body = work_push(h, TEXT.format(to="wwOTHER", frm="guide_li", msgid=3), corp_id="wwSOMEONEELSE")
    response = requests.post(f"{h.bot_url}/wechat/work", params=query, data=body.encode(), timeout=5)
    assert response.status_code == 403 and stored(h) == 0


@pytest.mark.parametrize("body", ["", "not xml at all", "<xml><Nothing/></xml>",
                                  "<xml><Encrypt>!!!notbase64</Encrypt>"])
def test_malformed_body_is_400(h: Harness, body: str) -> None:
    query = {"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2"}
    response = requests.post(f"{h.bot_url}/wechat/work", params=query, data=body.encode(), timeout=5)
    assert response.status_code in (400, 403)  # 403 when the envelope parses but the signature can't match
    assert stored(h) == 0


def test_correctly_signed_garbage_ciphertext_is_400(h: Harness) -> None:
    garbage = "QUJDREVGR0hJSktMTU5PUA=="
    timestamp, nonce = str(int(time.time())), "n"
    signature = signed(h.sim_config.token, timestamp, nonce, garbage)
    body = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    response = requests.post(f"{h.bot_url}/wechat/work",
                             params={"msg_signature": signature, "timestamp": timestamp, "nonce": nonce},
                             data=body.encode(), timeout=5)
    assert response.status_code == 400 and stored(h) == 0


def test_decrypted_payload_that_is_not_a_message_is_400(h: Harness) -> None:
    query, body = work_push(h, "<xml><Hello>world</Hello></xml>")
    response = requests.post(f"{h.bot_url}/wechat/work", params=query, data=body.encode(), timeout=5)
    assert response.status_code == 400 and "MsgType" in response.json()["message"] and stored(h) == 0


def test_oversized_body_is_413(h: Harness) -> None:
    query = {"msg_signature": "a" * 40, "timestamp": str(int(time.time())), "nonce": "2"}
    body = b"<xml><Encrypt>" + b"A" * (300 * 1024) + b"</Encrypt></xml>"
    response = requests.post(f"{h.bot_url}/wechat/work", params=query, data=body, timeout=5)
    assert response.status_code == 413 and stored(h) == 0


def test_official_account_plaintext_mode(sqlite_url: str) -> None:
    """An account in 明文模式 has no AES key: its pushes come in plaintext."""
    h = Harness(sqlite_url, mp={"encoding_aes_key": ""})
    try:
        _plaintext_mode(h)
    finally:
        h.close()


def _plaintext_mode(h: Harness) -> None:
    token, timestamp, nonce = h.sim_config.mp_token, str(int(time.time())), "77"
    query = {"signature": signed(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    xml = TEXT.format(to="gh_sim", frm="oPLAIN01", msgid=4)
    response = requests.post(f"{h.bot_url}/wechat/mp", params=query, data=xml.encode(), timeout=5)
    assert response.status_code == 200 and response.text == "success"
    h.settle()
    with h.db.session() as session:
        assert session.scalars(select(Message.content).where(Message.channel == "mp")).all() == ["你好"]
    verify = requests.get(f"{h.bot_url}/wechat/mp", params={**query, "echostr": "hello-mp"}, timeout=5)
    assert verify.text == "hello-mp"


def test_official_account_bad_signatures_are_403(h: Harness) -> None:
    token, timestamp, nonce = h.sim_config.mp_token, "1700000000", "77"
    xml = TEXT.format(to="gh_sim", frm="oPLAIN01", msgid=5)
    bad = requests.post(f"{h.bot_url}/wechat/mp", params={"signature": "0" * 40, "timestamp": timestamp,
                                                            "nonce": nonce}, data=xml.encode(), timeout=5)
    assert bad.status_code == 403
    crypto = MpCrypto(token, h.sim_config.mp_encoding_aes_key, h.sim_config.mp_app_id)
    envelope = crypto.encrypt_message(xml, nonce, timestamp)
    query = {"signature": signed(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
             "encrypt_type": "aes", "msg_signature": "1" * 40}
    response = requests.post(f"{h.bot_url}/wechat/mp", params=query, data=envelope.encode(), timeout=5)
    assert response.status_code == 403 and stored(h) == 0


def test_no_bad_input_produces_a_500(h: Harness) -> None:
    for method, path in [("GET", "/wechat/work"), ("POST", "/wechat/work"), ("GET", "/wechat/mp"),
                         ("POST", "/wechat/mp")]:
        for params in [{}, {"msg_signature": "x", "timestamp": "x", "nonce": "x", "echostr": "%%%"},
                       {"signature": "x", "timestamp": "x", "nonce": "x", "encrypt_type": "aes"}]:
            response = requests.request(method, f"{h.bot_url}{path}", params=params, data=b"\xff\xfe<xml",
                                        timeout=5)
            assert 400 <= response.status_code < 500, (method, path, params, response.status_code)
    assert stored(h) == 0
