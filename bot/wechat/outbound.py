"""Every message Siyu sends goes through here and is recorded with its channel, status and errcode."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException

from bot.db import Database
from bot.models import Message
from bot.ops import metrics
from bot.wechat.app_messages import AppMessages
from bot.wechat.results import SendResult
from bot.wechat.clients import MpClient, WeComClient
from bot.wechat.msgids import kf_msgid, msgid_salt

logger = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel is not configured (no corp or Official Account credentials)."""



class Outbound:
    def __init__(self, db: Database, wecom: WeComClient | None, mp: MpClient | None, agent_id: int = 0) -> None:
        self.db = db
        self.wecom = wecom
        self.mp = mp
        self.agent_id = agent_id
        self.app_messages = AppMessages(db, self._send_app_text_now)
        self._msgid_salt: str | None = None

    def kf_msgid(self, key: str) -> str:
        """A kf msgid for local `key`: the same on every retry, unique across databases."""
        if self._msgid_salt is None:
            self._msgid_salt = msgid_salt(self.db)
        return kf_msgid(self._msgid_salt, key)

    def send_app_text(self, userid: str, text: str, *, customer_id: int | None = None,
                      channel: str = "wecom_app") -> SendResult:
        """An app message to a staff member (a notice, a forward, a task for a guide).

        Counted against the member's limits: over them it is held and merged into a digest that
        goes out when there is room (the answer is then ok with `response["held"]`), never dropped.
        """
        self._wecom()
        return self.app_messages.send(userid, text, customer_id=customer_id, channel=channel)

    def _send_app_text_now(self, userid: str, text: str, customer_id: int | None, channel: str) -> SendResult:
        wecom = self._wecom()
        return self._send(
            lambda: wecom.message.send_text(self.agent_id, userid, text),
            channel=channel, text=text, customer_id=customer_id, payload={"touser": userid},
        )

    def send_welcome(self, welcome_code: str, text: str, *, customer_id: int | None) -> SendResult:
        wecom = self._wecom()
        template = {"welcome_code": welcome_code, "text": {"content": text}}
        return self._send(
            lambda: wecom.external_contact.send_welcome_msg(template),
            channel="welcome", text=text, customer_id=customer_id, payload={"welcome_code": welcome_code},
        )

    def kf_send_text(self, open_kfid: str, external_userid: str, text: str, *, msgid: str | None = None,
                     customer_id: int | None = None) -> SendResult:
        return self._kf_send(open_kfid, external_userid, "text", {"content": text}, text=text, msgid=msgid,
                             customer_id=customer_id)

    def kf_send_menu(self, open_kfid: str, external_userid: str, menu: Mapping[str, Any], *, text: str,
                     msgid: str | None = None, customer_id: int | None = None) -> SendResult:
        """A menu message (`msgmenu`): head_content, click items (id, content), tail_content; `text`
        is how it reads in the message log."""
        return self._kf_send(open_kfid, external_userid, "msgmenu", dict(menu), text=text, msgid=msgid,
                             customer_id=customer_id)

    def _kf_send(self, open_kfid: str, external_userid: str, msgtype: str, body: dict[str, Any], *, text: str,
                 msgid: str | None, customer_id: int | None) -> SendResult:
        wecom = self._wecom()
        data: dict[str, Any] = {"touser": external_userid, "open_kfid": open_kfid, "msgtype": msgtype, msgtype: body}
        if msgid:
            data["msgid"] = msgid
        payload: dict[str, Any] = {"touser": external_userid}
        if msgtype != "text":
            payload.update(msgtype=msgtype, **{msgtype: body})
        return self._send(
            lambda: wecom.post("kf/send_msg", data=data),
            channel="kf", text=text, customer_id=customer_id, payload=payload, wechat_msgid=msgid,
        )

    def mp_custom_text(self, openid: str, text: str, *, customer_id: int | None = None) -> SendResult:
        mp = self._mp()
        return self._send(
            lambda: mp.message.send_text(openid, text),
            channel="mp", text=text, customer_id=customer_id, payload={"touser": openid},
        )

    def mp_template(self, openid: str, template_id: str, data: Mapping[str, Any], *, url: str | None = None,
                    text: str = "", customer_id: int | None = None) -> SendResult:
        mp = self._mp()
        return self._send(
            lambda: mp.message.send_template(openid, template_id, dict(data), url=url),
            channel="mp_template", text=text, customer_id=customer_id,
            payload={"touser": openid, "template_id": template_id},
        )

    def add_msg_template(self, userid: str, external_userids: list[str], text: str, *,
                         customer_id: int | None = None) -> SendResult:
        """Enterprise mass message (群发): the guide confirms it in WeCom before it reaches anyone."""
        wecom = self._wecom()
        template = {"chat_type": "single", "external_userid": external_userids, "sender": userid,
                    "text": {"content": text}}
        return self._send(
            lambda: wecom.external_contact.add_msg_template(template),
            channel="wecom_mass", text=text, customer_id=customer_id, payload={"sender": userid},
        )

    def mark_tags(self, userid: str, external_userid: str, add: list[str], remove: list[str]) -> SendResult:
        wecom = self._wecom()
        return self._call(lambda: wecom.external_contact.mark_tag(userid, external_userid, add, remove))

    def _wecom(self) -> WeComClient:
        if self.wecom is None:
            raise ChannelUnavailable("WeCom is not configured ([wecom] corp_id, secret)")
        return self.wecom

    def _mp(self) -> MpClient:
        if self.mp is None:
            raise ChannelUnavailable("the Official Account is not configured ([mp] app_id, secret)")
        return self.mp

    def call(self, call: Callable[[], Any]) -> SendResult:
        """Any other WeChat call (WeCom or Official Account), refusals and network errors as a SendResult."""
        return self._call(call)

    def _send(self, call: Callable[[], Any], *, channel: str, text: str, customer_id: int | None,
              payload: dict[str, Any], wechat_msgid: str | None = None) -> SendResult:
        result = self._call(call)
        metrics.message_sent(channel, result.ok, result.errcode)
        with self.db.session() as session:
            message = Message(
                customer_id=customer_id, direction="out", channel=channel, content=text, payload=payload,
                wechat_msgid=wechat_msgid or _msgid(result.response),
                status="sent" if result.ok else "unknown" if result.unknown else "failed",
                errcode=result.errcode, errmsg=result.errmsg,
            )
            session.add(message)
            session.flush()
            return SendResult(result.ok, result.errcode, result.errmsg, message.id, result.response, result.unknown)

    @staticmethod
    def _call(call: Callable[[], Any]) -> SendResult:
        try:
            response = call()
        except WeChatClientException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            errcode = exc.errcode if exc.errcode is not None else (-1 if status and status >= 500 else None)
            logger.warning("WeChat refused a call: errcode=%s errmsg=%s", errcode, exc.errmsg)
            return SendResult(False, errcode, str(exc.errmsg or f"HTTP {status}"))
        except requests.ReadTimeout as exc:
            logger.warning("WeChat call timed out after it was sent: outcome unknown")
            return SendResult(False, None, f"timeout ({exc.__class__.__name__}): no answer in time, outcome unknown",
                              unknown=True)
        except requests.RequestException as exc:
            logger.warning("WeChat call failed: %s", exc.__class__.__name__)
            metrics.wechat_error("network")
            return SendResult(False, None, f"{exc.__class__.__name__}: network error")
        return SendResult(True, 0, "", None, response if isinstance(response, Mapping) else {})


def _msgid(response: Mapping[str, Any]) -> str | None:
    value = response.get("msgid") if response else None
    return str(value) if value else None
