"""Typed SQLAlchemy models; import them from here."""

from bot.models.activity import Event, Message
from bot.models.base import Base
from bot.models.inbox import Callback, KfCursor, SharedValue, Task
from bot.models.people import Customer, CustomerGuide, Staff
from bot.models.tags import CustomerTag, Tag

__all__ = [
    "Base",
    "Callback",
    "Customer",
    "CustomerGuide",
    "CustomerTag",
    "Event",
    "KfCursor",
    "Message",
    "SharedValue",
    "Staff",
    "Tag",
    "Task",
]
