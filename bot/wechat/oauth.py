"""WeCom web authorisation (OAuth2): the link that identifies a member, and code -> userid.

Used by the chat sidebar (which guide opened it) and by the console's WeCom login. The
authorize page's address comes from `[wecom] oauth_base_url`, so the simulator can stand in.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from bot.config import WeComConfig
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)

INVALID_CODE = 40029


class OAuthError(Exception):
    """The code did not identify a member; the message says why, in words for the person."""


def authorize_url(config: WeComConfig, redirect_uri: str, state: str = "") -> str:
    """Where to send the browser so WeCom comes back to `redirect_uri` with `code` (and `state`)."""
    query = urlencode({"appid": config.corp_id, "redirect_uri": redirect_uri, "response_type": "code",
                       "scope": "snsapi_base", "state": state, "agentid": config.agent_id})
    return f"{config.oauth_base_url}?{query}#wechat_redirect"


def userid_from_code(outbound: Outbound, code: str) -> str:
    """The WeCom userid of the member the single-use, 5-minute `code` was issued to."""
    if not code or len(code) > 512:
        raise OAuthError("缺少授权码（code），请从企业微信重新打开页面。")
    wecom = outbound.wecom
    if wecom is None:
        raise OAuthError("企业微信未配置（[wecom] corp_id、secret），无法识别成员身份。")
    result = outbound.call(lambda: wecom.get("auth/getuserinfo", params={"code": code}))
    if not result.ok:
        if result.errcode == INVALID_CODE:
            raise OAuthError("授权码无效或已过期（5 分钟内有效，只能用一次），请从企业微信重新打开页面。")
        raise OAuthError(f"企业微信未能识别成员身份（errcode {result.errcode}），请稍后重试。")
    userid = str(result.response.get("userid") or result.response.get("UserId") or "")
    if not userid:
        # A WeChat user outside the corp gets an openid instead of a userid.
        raise OAuthError("打开页面的不是企业成员，请用企业微信账号打开。")
    logger.info("OAuth code identified member %s", userid)
    return userid
