"""Typed SQLAlchemy models; import them from here."""

from bot.models.activity import Event, Message
from bot.models.base import Base
from bot.models.channels import ChannelCode
from bot.models.console import AuditEntry, ConsoleUser, RuleFileVersion
from bot.models.guide_tasks import GuideTask
from bot.models.guides import CustomerNote, CustomerTransfer, GuideAction, GuideForward, ReferralCode
from bot.models.inbox import Callback, KfCursor, SharedValue, Task
from bot.models.people import Customer, CustomerGuide, Staff
from bot.models.playbooks import CronFire, Delivery, Enrolment, LinkClick, PlaybookRecord, PlaybookVersion, TrackedLink
from bot.models.rollups import DailyActiveCustomer, DailyChannelResponse, DailyMessageCount, PlaybookReportDay
from bot.models.tags import CustomerTag, MessageLabel, Tag
from bot.models.wechat import AppMessage

__all__ = [
    "AppMessage",
    "AuditEntry",
    "ConsoleUser",
    "Base",
    "Callback",
    "ChannelCode",
    "CronFire",
    "Customer",
    "DailyActiveCustomer",
    "DailyChannelResponse",
    "DailyMessageCount",
    "CustomerGuide",
    "CustomerNote",
    "CustomerTag",
    "CustomerTransfer",
    "Delivery",
    "Enrolment",
    "Event",
    "GuideAction",
    "GuideForward",
    "GuideTask",
    "KfCursor",
    "LinkClick",
    "Message",
    "MessageLabel",
    "PlaybookRecord",
    "PlaybookReportDay",
    "PlaybookVersion",
    "ReferralCode",
    "RuleFileVersion",
    "SharedValue",
    "Staff",
    "Tag",
    "Task",
    "TrackedLink",
]
