"""JS-SDK signatures for pages inside WeCom (the chat sidebar): `wx.config` is signed with the
corp jsapi_ticket, `wx.agentConfig` with the app's (type=agent_config) ticket. Both tickets are
cached in the shared store like access tokens (7200 s, rate-limited by WeCom), so processes
share one."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import Any

from bot.wechat.clients import WeComClient

logger = logging.getLogger(__name__)


class JsSdkError(Exception):
    """The tickets could not be fetched; the message says why."""


def signature(ticket: str, noncestr: str, timestamp: int, url: str) -> str:
    """sha1 of `jsapi_ticket=T&noncestr=N&timestamp=S&url=U`; `url` without its `#` part."""
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url.split('#')[0]}"
    return hashlib.sha1(plain.encode()).hexdigest()


def page_config(wecom: WeComClient, corp_id: str, agent_id: int, url: str) -> dict[str, Any]:
    """What a page needs for `wx.config` and `wx.agentConfig` at `url`."""
    try:
        # wechatpy keeps both tickets in the client's session storage: the shared database store,
        # so every process uses the same ticket until it expires. (No lock of our own around it:
        # fetching the access token may take the store's lock, and SQLite locks do not nest.)
        corp_ticket, agent_ticket = wecom.jsapi.get_jsapi_ticket(), wecom.jsapi.get_agent_jsapi_ticket()
    except Exception as error:  # wechatpy raises its client exceptions and requests' errors alike
        logger.warning("JS-SDK tickets not fetched: %s: %s", error.__class__.__name__, error)
        raise JsSdkError("获取 JS-SDK ticket 失败，请检查应用的 Secret 和可信 IP。") from error
    timestamp, noncestr = int(time.time()), secrets.token_hex(8)
    return {"corpId": corp_id, "agentId": agent_id, "timestamp": timestamp, "nonceStr": noncestr,
            "signature": signature(corp_ticket, noncestr, timestamp, url),
            "agentSignature": signature(agent_ticket, noncestr, timestamp, url)}
