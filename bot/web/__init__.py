"""HTTP surface: WeChat callbacks, the business API, tracked links, health."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from bot.runtime import Runtime


def current_runtime() -> Runtime:
    """The runtime `create_app` attached to the app handling this request."""
    return current_app.extensions["siyu"]
