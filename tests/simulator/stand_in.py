"""A stand-in bot: receives the simulator's callbacks, verifies and decrypts them like the real bot must."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xmltodict
from flask import Flask, Response, abort, request
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.simulator import SimulatorConfig


@dataclass
class Callback:
    query: dict[str, str]
    body: bytes
    fields: dict[str, Any]


@dataclass
class StandInBot:
    """Verifies and decrypts every push the way the real bot must; replies as told."""

    config: SimulatorConfig
    url: str = ""
    work: list[Callback] = field(default_factory=list)
    mp: list[Callback] = field(default_factory=list)
    reply_text: str | None = None
    on_work: Callable[[dict[str, Any]], None] | None = None

    def app(self) -> Flask:
        app = Flask(__name__)
        work_crypto = WorkCrypto(self.config.token, self.config.encoding_aes_key, self.config.corp_id)
        mp_crypto = MpCrypto(self.config.mp_token, self.config.mp_encoding_aes_key, self.config.mp_app_id)

        @app.post("/wechat/work")
        def work() -> Response | str:
            args = request.args
            xml = work_crypto.decrypt_message(request.data, args["msg_signature"], args["timestamp"], args["nonce"])
            fields = dict(xmltodict.parse(xml)["xml"])
            self.work.append(Callback(dict(args), request.data, fields))
            if self.on_work is not None:
                self.on_work(fields)
            return self._reply(work_crypto, fields, args["nonce"])

        @app.post("/wechat/mp")
        def mp() -> Response | str:
            args = request.args
            expected = hashlib.sha1("".join(sorted([self.config.mp_token, args["timestamp"], args["nonce"]])).encode())
            if args.get("signature") != expected.hexdigest() or args.get("encrypt_type") != "aes":
                abort(403)
            xml = mp_crypto.decrypt_message(request.data, args["msg_signature"], args["timestamp"], args["nonce"])
            fields = dict(xmltodict.parse(xml)["xml"])
            self.mp.append(Callback(dict(args), request.data, fields))
            return self._reply(mp_crypto, fields, args["nonce"])

        return app

    def _reply(self, crypto: WorkCrypto | MpCrypto, fields: dict[str, Any], nonce: str) -> str:
        if self.reply_text is None:
            return "success"
        plain = (
            f"<xml><ToUserName><![CDATA[{fields.get('FromUserName', '')}]]></ToUserName>"
            f"<FromUserName><![CDATA[{fields.get('ToUserName', '')}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{self.reply_text}]]></Content></xml>"
        )
        return crypto.encrypt_message(plain, nonce)
