"""The console's cookie sessions, not opened for WeChat's callbacks.

Flask opens the session of every request: for a webhook that is a signed-cookie serializer built
and a cookie looked for (a tenth of an ack), for a client that never sends one. The callbacks get
Flask's null session instead, which reads as empty and is never saved.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

SESSIONLESS_PREFIXES = ("/wechat/",)


class ConsoleSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(SESSIONLESS_PREFIXES):
            return self.make_null_session(app)
        return super().open_session(app, request)
