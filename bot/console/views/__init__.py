"""The console's pages: one blueprint, one module per area."""

from bot.console.views.base import bp
from bot.console.views import admin, auth, channels, customers, dashboard, imports, labels, playbooks, rules, settings  # noqa: F401, E402 - routes register on import

__all__ = ["bp"]
