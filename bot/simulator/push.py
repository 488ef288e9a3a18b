"""Encrypted callbacks from the simulated WeChat to the bot, and the bot's passive replies."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto
from wechatpy.work.exceptions import InvalidCorpIdException

from .misconfig import WRONG_AES_KEY
from .state import SimulatorState

logger = logging.getLogger(__name__)

# Bodies that mean "received, nothing to say" to WeChat.
EMPTY_REPLIES = {"", "success"}


def build_xml(fields: dict[str, Any]) -> str:
    """A callback body the way WeChat writes it: numbers bare, text in CDATA."""
    lines = ["<xml>"]
    for name, value in fields.items():
        if isinstance(value, int):
            lines.append(f"<{name}>{value}</{name}>")
        else:
            text = str(value).replace("]]>", "]]]]><![CDATA[>")
            lines.append(f"<{name}><![CDATA[{text}]]></{name}>")
    lines.append("</xml>")
    return "".join(lines)


def parse_xml(xml: str) -> dict[str, Any]:
    parsed = xmltodict.parse(xml)
    return dict(parsed.get("xml") or {})


@dataclass
class Attempt:
    status: int | None
    reply: str | None = None
    reply_fields: dict[str, Any] | None = None
    encrypted: bool | None = None
    error: str | None = None
    elapsed_ms: int = 0


@dataclass
class PushResult:
    channel: str
    xml: str
    attempts: list[Attempt] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        last = self.attempts[-1]
        return {
            "channel": self.channel,
            "pushed": self.xml,
            "status": last.status,
            "reply": last.reply,
            "reply_fields": last.reply_fields,
            "error": last.error,
            "attempts": [vars(a) for a in self.attempts],
        }


class Pusher:
    """Sends callbacks to the bot's URLs; never call it while holding the state lock."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        config = state.config
        wrong_key = "wrong_aes_key" in getattr(state, "misconfig", ())
        self.work_crypto = WorkCrypto(config.token, WRONG_AES_KEY if wrong_key else config.encoding_aes_key,
                                      config.corp_id)
        self.mp_crypto = MpCrypto(config.mp_token, WRONG_AES_KEY if wrong_key else config.mp_encoding_aes_key,
                                  config.mp_app_id)

    def push_work(self, xml: str, repeat: int = 1) -> PushResult:
        config = self.state.config
        nonce, timestamp = secrets.token_hex(8), str(int(self.state.now()))
        sealed = parse_xml(self.work_crypto.encrypt_message(xml, nonce, timestamp))
        body = build_xml({"ToUserName": config.corp_id, "Encrypt": sealed["Encrypt"], "AgentID": config.agent_id})
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        return self._send("work", config.bot_work_url, params, body, xml, repeat)

    def push_mp(self, xml: str, repeat: int = 1) -> PushResult:
        config = self.state.config
        nonce, timestamp = secrets.token_hex(8), str(int(self.state.now()))
        sealed = parse_xml(self.mp_crypto.encrypt_message(xml, nonce, timestamp))
        body = build_xml({"ToUserName": config.mp_original_id, "Encrypt": sealed["Encrypt"]})
        params = {
            "signature": hashlib.sha1("".join(sorted([config.mp_token, timestamp, nonce])).encode()).hexdigest(),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": str(parse_xml(xml).get("FromUserName") or ""),
            "encrypt_type": "aes",
            "msg_signature": sealed["MsgSignature"],
        }
        return self._send("mp", config.bot_mp_url, params, body, xml, repeat)

    def _send(self, channel: str, url: str, params: dict[str, str], body: str, xml: str, repeat: int) -> PushResult:
        result = PushResult(channel, xml)
        for _ in range(max(1, repeat)):
            # The identical body every time: that is what WeChat's retries look like.
            result.attempts.append(self._post_once(channel, url, params, body))
        return result

    def _post_once(self, channel: str, url: str, params: dict[str, str], body: str) -> Attempt:
        started = time.monotonic()
        try:
            response = requests.post(url, params=params, data=body.encode("utf-8"),
                                     headers={"Content-Type": "text/xml; charset=utf-8"},
                                     timeout=self.state.config.push_timeout)
        except requests.RequestException as exc:
            logger.warning("push to %s failed: %s", url, exc)
            return Attempt(status=None, error=f"{type(exc).__name__}: {exc}",
                           elapsed_ms=int((time.monotonic() - started) * 1000))
        attempt = Attempt(status=response.status_code, elapsed_ms=int((time.monotonic() - started) * 1000))
        text = response.content.decode("utf-8", "replace").strip()
        if response.status_code == 200 and text not in EMPTY_REPLIES:
            self._read_reply(channel, text, attempt)
        return attempt

    def _read_reply(self, channel: str, text: str, attempt: Attempt) -> None:
        try:
            fields = parse_xml(text)
        except ExpatError as exc:
            attempt.error = f"reply is not XML: {exc}"
            attempt.reply = text
            return
        attempt.encrypted = "Encrypt" in fields
        if attempt.encrypted:
            crypto = self.work_crypto if channel == "work" else self.mp_crypto
            try:
                text = crypto.decrypt_message(text, fields.get("MsgSignature"), fields.get("TimeStamp"),
                                              fields.get("Nonce"))
            except (InvalidSignatureException, InvalidCorpIdException, InvalidAppIdException, ValueError) as exc:
                attempt.error = f"reply does not decrypt: {type(exc).__name__}"
                attempt.reply = text
                return
            fields = parse_xml(text)
        attempt.reply, attempt.reply_fields = text, fields
        msgtype = str(fields.get("MsgType") or "text")
        content = str(fields.get("Content") or "") if msgtype == "text" else f"[{msgtype}]"
        self.state.record_sent("passive_reply", fields, 0, delivered=True, to=str(fields.get("ToUserName") or ""),
                               text=content, channel=channel, encrypted=attempt.encrypted)


def push_work_later(state: SimulatorState, xml: str, delay: float) -> None:
    """Push a WeCom callback `delay` seconds from now, as WeChat reports some outcomes a moment after
    it answered; `state.pending_pushes` counts it until it is pushed (tests wait for 0)."""
    with state.lock:
        state.pending_pushes += 1

    def push() -> None:
        try:
            Pusher(state).push_work(xml)
        finally:
            with state.lock:
                state.pending_pushes = max(0, state.pending_pushes - 1)

    threading.Timer(delay, push).start()
