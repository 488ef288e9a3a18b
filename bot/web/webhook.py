"""WeChat callbacks: verify, decrypt, store durably, process once, ack fast.

Nothing here calls WeChat: handlers queue tasks, which run after the response is on its way.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NoReturn

from flask import Blueprint, Response, abort, request
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply as MpTextReply
from wechatpy.utils import check_signature as check_plain_signature
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto
from wechatpy.work.exceptions import InvalidCorpIdException
from wechatpy.work.replies import TextReply as WorkTextReply

from bot.inbound.parsing import BadPayload, parse_document, parse_fields, update_kind
from bot.inbound.routing import Update
from bot.inbound.spool import SpoolUnavailable
from bot.ops import logs, metrics, rejections
from bot.ops.views import request_seconds
from bot.web import current_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)

FOREIGN_RECEIVER = (InvalidSignatureException, InvalidCorpIdException, InvalidAppIdException)


# One cipher per key for the process (each construction decodes the key); a handful of keys at most.
@lru_cache(maxsize=8)
def _mp_crypto(token: str, aes_key: str, app_id: str) -> MpCrypto:
    return MpCrypto(token, aes_key, app_id)


@lru_cache(maxsize=8)
def _work_crypto(token: str, aes_key: str, corp_id: str) -> WorkCrypto:
    return WorkCrypto(token, aes_key, corp_id)


def _envelope(body: str) -> Any:
    """The encrypted body's fields (Encrypt...), read once here rather than again by wechatpy."""
    envelope = parse_document(body)
    if not isinstance(envelope, dict):
        raise BadPayload("not an <xml> envelope")
    return envelope


def _params(*names: str) -> dict[str, str]:
    args = request.args
    values = {name: args.get(name, "") for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        abort(400, description=f"missing query parameter(s): {', '.join(missing)}")
    return values


def _fresh(runtime: Runtime, timestamp: str) -> None:
    """Refuse a signed timestamp outside the configured window: a captured push replayed later."""
    window = runtime.config.webhook.max_timestamp_age_seconds
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        abort(400, description="timestamp: expected Unix seconds")
    if window and abs(runtime.clock.now().timestamp() - int(timestamp)) > window:
        logger.warning("refused a push signed at %s: outside the %s s window", timestamp, window)
        abort(403, description=f"timestamp: more than {window} s from now")


def _body(runtime: Runtime) -> str:
    limit = runtime.config.webhook.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description="body is not UTF-8")


@bp.route("/wechat/work", methods=["GET", "POST"])
def wecom_callback() -> Response | str:
    runtime = current_runtime()
    config = runtime.config.wecom
    if not config.configured:
        abort(404, description="WeCom is not configured")
    crypto = _work_crypto(config.token.get_secret_value(), config.encoding_aes_key.get_secret_value(), config.corp_id)
    if request.method == "GET":
        p = _params("msg_signature", "timestamp", "nonce", "echostr")
        try:
            echo = crypto.check_signature(p["msg_signature"], p["timestamp"], p["nonce"], p["echostr"])
        except FOREIGN_RECEIVER as exc:
            _refused(runtime, "wecom", exc, 403)
        except Exception as exc:  # undecryptable echostr: wechatpy raises ValueError, binascii.Error...
            _refused(runtime, "wecom", exc, 400, "echostr cannot be decrypted")
        return Response(echo, mimetype="text/plain")
    p = _params("msg_signature", "timestamp", "nonce")
    _fresh(runtime, p["timestamp"])
    body = _body(runtime)
    try:
        xml = crypto.decrypt_message(_envelope(body), p["msg_signature"], p["timestamp"], p["nonce"])
    except FOREIGN_RECEIVER as exc:
        _refused(runtime, "wecom", exc, 403)
    except Exception as exc:  # not the Encrypt envelope, or ciphertext that does not decrypt
        _refused(runtime, "wecom", exc, 400, "body is not an encrypted WeCom message")
    reply, fields = _accept(runtime, "wecom", xml)
    if reply is None:
        return Response("", mimetype="text/plain")
    rendered = WorkTextReply(source=fields.get("ToUserName"), target=fields.get("FromUserName"), content=reply).render()
    return Response(crypto.encrypt_message(rendered, p["nonce"], p["timestamp"]), mimetype="application/xml")


@bp.route("/wechat/mp", methods=["GET", "POST"])
def mp_callback() -> Response | str:
    runtime = current_runtime()
    config = runtime.config.mp
    if not config.configured:
        abort(404, description="the Official Account is not configured")
    token = config.token.get_secret_value()
    p = _params("signature", "timestamp", "nonce")
    try:
        check_plain_signature(token, p["signature"], p["timestamp"], p["nonce"])
    except InvalidSignatureException as exc:
        _refused(runtime, "mp", exc, 403)
    if request.method == "GET":
        return Response(request.args.get("echostr", ""), mimetype="text/plain")
    _fresh(runtime, p["timestamp"])
    body = _body(runtime)
    encrypted = request.args.get("encrypt_type") == "aes"
    if not encrypted and config.encoding_aes_key.get_secret_value() and not config.allow_plaintext:
        # The plaintext signature covers token, timestamp and nonce only, never the body.
        abort(403, description="plaintext push refused: [mp] encoding_aes_key is set (安全模式)")
    crypto = None
    if encrypted:
        if not config.encoding_aes_key.get_secret_value():
            abort(400, description="safe mode push but [mp] encoding_aes_key is not set")
        crypto = _mp_crypto(token, config.encoding_aes_key.get_secret_value(), config.app_id)
        msg_signature = _params("msg_signature")["msg_signature"]
        try:
            xml = crypto.decrypt_message(_envelope(body), msg_signature, p["timestamp"], p["nonce"])
        except FOREIGN_RECEIVER as exc:
            _refused(runtime, "mp", exc, 403)
        except Exception as exc:
            _refused(runtime, "mp", exc, 400, "body is not an encrypted Official Account message")
    else:
        xml = body
    reply, fields = _accept(runtime, "mp", xml)
    if reply is None:
        return Response("success", mimetype="text/plain")
    rendered = MpTextReply(source=fields.get("ToUserName"), target=fields.get("FromUserName"), content=reply).render()
    if crypto is not None:
        rendered = crypto.encrypt_message(rendered, p["nonce"], p["timestamp"])
    return Response(rendered, mimetype="application/xml")


def _refused(runtime: Runtime, channel: str, exc: Exception, status: int,
             description: str | None = None) -> NoReturn:
    """Answer 4xx, remembering why (for `siyu doctor`): a good signature over an undecryptable body
    means WeChat encrypts with another EncodingAESKey."""
    reason = "signature" if isinstance(exc, InvalidSignatureException) else "decrypt"
    rejections.note(runtime.db, channel, reason)
    abort(status, description=description)


def _accept(runtime: Runtime, channel: str, xml: str) -> tuple[str | None, dict[str, Any]]:
    """Parse, store (durably, once) and answer: the batch processor routes the push after the ack.

    The answer carries the passive responders' reply, decided from the parsed push and what the
    process holds in memory (the opt-out rule, the subscribe greeting): the Official Account shows
    it from the HTTP response. Every other reply is sent actively once the push is processed.
    Returns the reply and the parsed fields (parsed once: the key, the kind, the stored row and
    the passive reply all read them).
    """
    try:
        fields: dict[str, Any] = parse_fields(xml)
    except BadPayload as exc:
        abort(400, description=str(exc))
    kind = update_kind(fields)
    metrics.callback_received(channel, kind)
    rejections.accepted(runtime.db, channel)
    try:
        callback_id, is_new = runtime.inbox.accept(channel, xml, fields)
    except SpoolUnavailable as exc:  # not stored, so not acked: WeChat pushes it again
        abort(503, description=f"push not stored: {exc}")
    logs.callback_id.set(callback_id)  # for the rest of this request; reset at its teardown
    logs.remember_request(callback_id)  # for the thread that processes it, if not this one
    logger.debug("stored %s %s push as callback %s (new: %s)", channel, kind, callback_id, is_new)
    if is_new:
        runtime.processor_waker()
    update_ = Update(channel, kind, fields, runtime.clock.now(), callback_id, xml)
    reply = runtime.dispatcher.passive_reply(update_, runtime.passive_context(update_))
    metrics.callback_acked(channel, kind, request_seconds())
    return reply, fields
