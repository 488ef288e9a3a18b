"""wechatpy clients that honour `api_base_url` and share one access token across processes."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from wechatpy import WeChatClient as _MpClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.work import WeChatClient as _WorkClient

from bot.ops import metrics

logger = logging.getLogger(__name__)

WECOM_API_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/"
MP_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
TOKEN_ERRCODES = (40001, 40014, 42001)
_used_tokens = threading.local()


class _SharedTokenMixin:
    """Refresh under the storage's lock; adopt a token another process (or thread) fetched meanwhile."""

    session: SessionStorage

    @property
    def _last_token(self) -> str | None:
        """The token this thread last used: the one WeChat rejected, when a refresh is due."""
        return getattr(_used_tokens, self.access_token_key, None)  # type: ignore[attr-defined]

    @_last_token.setter
    def _last_token(self, token: str | None) -> None:
        setattr(_used_tokens, self.access_token_key, token)  # type: ignore[attr-defined]

    @property
    def access_token(self) -> str:
        token = super().access_token  # type: ignore[misc]
        self._last_token = token
        return token

    def fetch_access_token(self) -> dict[str, Any]:
        lock = getattr(self.session, "refresh_lock", None)
        if lock is None:
            return self._fetch_new_token()
        with lock(self.access_token_key):  # type: ignore[attr-defined]
            stored = self.session.get(self.access_token_key)  # type: ignore[attr-defined]
            expires_at = self.expires_at  # type: ignore[attr-defined]
            if stored and stored != self._last_token and expires_at and expires_at - time.time() > 60:
                logger.info("adopting the access token another process refreshed")
                self._last_token = stored
                return {"access_token": stored}
            return self._fetch_new_token()

    realm = "wechat"

    def _fetch_new_token(self) -> dict[str, Any]:
        raise NotImplementedError

    def _counted_fetch(self, url: str, params: dict[str, Any]) -> dict[str, Any]:
        """Fetch a token, counting refreshes and refusals (errcodes) for /metrics."""
        try:
            result = self._fetch_access_token(url=url, params=params)  # type: ignore[attr-defined]
        except WeChatClientException as exc:
            metrics.token_refreshed(self.realm, ok=False)
            metrics.wechat_error(_errcode(exc), "gettoken" if self.realm == "wecom" else "token")
            raise
        metrics.token_refreshed(self.realm)
        return result

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """One refresh and one retry when WeChat rejects the token; wechatpy's own retry loops."""
        try:
            return self._counted_request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
            logger.info("access token rejected (%s); refreshing and retrying once", exc.errcode)
            self.fetch_access_token()
            return self._counted_request(method, url_or_endpoint, **kwargs)

    def _counted_request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """One call; a refusal is counted for /metrics by API and errcode."""
        try:
            return super()._request(method, url_or_endpoint, **_fresh_kwargs(kwargs))  # type: ignore[misc]
        except WeChatClientException as exc:
            metrics.wechat_error(_errcode(exc), _api_name(url_or_endpoint, self.API_BASE_URL))  # type: ignore[attr-defined]
            raise


class WeComClient(_SharedTokenMixin, _WorkClient):
    """WeCom self-built app client; every call, `gettoken` included, goes to `api_base_url`."""

    realm = "wecom"

    def __init__(
        self,
        corp_id: str,
        secret: str,
        api_base_url: str = WECOM_API_BASE_URL,
        session: SessionStorage | None = None,
        timeout: float | None = 10,
    ) -> None:
        super().__init__(corp_id, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = _with_slash(api_base_url)

    def _fetch_new_token(self) -> dict[str, Any]:
        result = self._counted_fetch(f"{self.API_BASE_URL}gettoken",
                                     {"corpid": self.corp_id, "corpsecret": self.secret})
        self._last_token = result.get("access_token")
        return result


class MpClient(_SharedTokenMixin, _MpClient):
    """Official Account client; every call, `token` included, goes to `api_base_url`."""

    realm = "mp"

    def __init__(
        self,
        app_id: str,
        secret: str,
        api_base_url: str = MP_API_BASE_URL,
        session: SessionStorage | None = None,
        timeout: float | None = 10,
    ) -> None:
        super().__init__(app_id, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = _with_slash(api_base_url)

    def _fetch_new_token(self) -> dict[str, Any]:
        result = self._counted_fetch(f"{self.API_BASE_URL}token",
                                     {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        self._last_token = result.get("access_token")
        return result


def _fresh_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    # wechatpy's _request writes the token into `params` and serialises `data` in place.
    fresh = dict(kwargs)
    if isinstance(fresh.get("params"), dict):
        fresh["params"] = {k: v for k, v in fresh["params"].items() if k != "access_token"}
    return fresh


def _errcode(exc: WeChatClientException) -> int | str | None:
    """WeChat's errcode, or the HTTP status when the answer was not WeChat's JSON."""
    if exc.errcode is not None:
        return exc.errcode
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return f"http_{status}" if status else None


def _api_name(url_or_endpoint: str, base_url: str) -> str:
    """`kf/send_msg` from an endpoint or a full URL (never the query: it holds the token)."""
    return url_or_endpoint.removeprefix(base_url).split("?", 1)[0].lstrip("/")


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
