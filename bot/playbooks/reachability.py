"""Which channel can reach a customer at a given moment: one rule set, for one customer in Python
(previews) and for many customers at once in SQL (the console's what-if).

A channel is usable when the customer has not opted out and:
- kf (微信客服): an external_userid and a customer-service message from them within the last 48 h;
- mp_custom (公众号客服消息): an openid and a message of theirs to the Official Account within 48 h, or a
  subscribe, menu click or QR scan within the last minute (WeChat then allows 3 messages in 1 minute);
- mp_template (模板消息): an openid and a template id (works outside the window);
- wecom_mass (群发助手): an external_userid and a guide to send it;
- guide_task (导购任务): a guide.
The first usable channel of a step's list is the one the outbox tries first. The message counts of
the windows (5 in 48 h, 3 in a minute) are not judged here: the outbox learns them from WeChat
(45047) and falls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Customer, Event, Message
from bot.models.base import UTCDateTime

WINDOW = timedelta(hours=48)
# A subscribe, menu click or QR scan opens the Official Account's window for 1 minute only.
MP_EVENT_WINDOW = timedelta(minutes=1)
MP_WINDOW_EVENTS = ("subscribed", "menu_click", "qr_scanned")  # Event.type as the mp handlers record them
UNREACHABLE = "none"
KF_CHANNEL, MP_CHANNEL = "kf", "mp"  # Message.channel of customer-service and Official Account messages


@dataclass(frozen=True)
class Reach:
    """What decides a customer's reachability."""

    opted_out: bool
    external_userid: str | None
    openid: str | None
    has_guide: bool
    last_kf_in: datetime | None
    last_mp_in: datetime | None
    last_mp_event: datetime | None = None  # the last subscribe, menu click or QR scan


def mp_window_open(reach: Reach, at: datetime) -> bool:
    """The Official Account's custom-message window at `at`: 48 h after the follower's message, or
    1 minute after a subscribe, menu click or QR scan."""
    by_message = reach.last_mp_in is not None and reach.last_mp_in >= at - WINDOW
    by_event = reach.last_mp_event is not None and at - MP_EVENT_WINDOW <= reach.last_mp_event
    return by_message or by_event


def usable(channel: str, reach: Reach, at: datetime, template_id: str | None = None) -> bool:
    if reach.opted_out:
        return False
    if channel == "kf":
        return bool(reach.external_userid) and reach.last_kf_in is not None and reach.last_kf_in >= at - WINDOW
    if channel == "mp_custom":
        return bool(reach.openid) and mp_window_open(reach, at)
    if channel == "mp_template":
        return bool(reach.openid and template_id)
    if channel == "wecom_mass":
        return bool(reach.external_userid) and reach.has_guide
    if channel == "guide_task":
        return reach.has_guide
    return False


def reachable(channels: list[str], reach: Reach, at: datetime, template_id: str | None = None) -> list[str]:
    """The step's channels that can reach this customer at `at`, in the step's order."""
    return [channel for channel in channels if usable(channel, reach, at, template_id)]


def reach_of(session: Session, customer: Customer) -> Reach:
    facts = session.execute(select(*_last_inbound_columns()).where(Message.customer_id == customer.id)).one()
    last_event = session.scalar(select(func.max(Event.occurred_at)).where(
        Event.customer_id == customer.id, Event.type.in_(MP_WINDOW_EVENTS)))
    return Reach(customer.opted_out, customer.external_userid, customer.openid, customer.guide_id is not None,
                 facts[0], facts[1], last_event)


def _last_inbound_columns() -> list[Any]:
    inbound = Message.direction == "in"
    return [func.max(case((and_(inbound, Message.channel == KF_CHANNEL), Message.created_at))).label("last_kf_in"),
            func.max(case((and_(inbound, Message.channel == MP_CHANNEL), Message.created_at))).label("last_mp_in")]


def reach_facts(customer_ids: Any, since: datetime, now: datetime | None = None) -> Any:
    """A subquery of Reach columns for the customers in `customer_ids` (a select of ids), judged at
    `since + WINDOW`: inbound messages older than `since`, and subscribes, clicks and scans older
    than a minute before that moment, cannot open a window any more and are not read. When `since`
    is after `now`, nothing can open a window (nothing is from the future) and nothing is read."""
    if now is not None and since > now:
        none = literal(None, UTCDateTime())
        return (select(Customer.id.label("customer_id"), Customer.opted_out, Customer.external_userid,
                       Customer.openid, Customer.guide_id, none.label("last_kf_in"), none.label("last_mp_in"),
                       none.label("last_mp_event"))
                .where(Customer.id.in_(customer_ids)).subquery())
    last = (select(Message.customer_id.label("customer_id"), *_last_inbound_columns())
            .where(Message.customer_id.in_(customer_ids), Message.direction == "in", Message.created_at >= since)
            .group_by(Message.customer_id).subquery())
    events = (select(Event.customer_id.label("customer_id"), func.max(Event.occurred_at).label("last_mp_event"))
              .where(Event.customer_id.in_(customer_ids), Event.type.in_(MP_WINDOW_EVENTS),
                     Event.occurred_at >= since + WINDOW - MP_EVENT_WINDOW)
              .group_by(Event.customer_id).subquery())
    return (select(Customer.id.label("customer_id"), Customer.opted_out, Customer.external_userid, Customer.openid,
                   Customer.guide_id, last.c.last_kf_in, last.c.last_mp_in, events.c.last_mp_event)
            .outerjoin(last, last.c.customer_id == Customer.id)
            .outerjoin(events, events.c.customer_id == Customer.id)
            .where(Customer.id.in_(customer_ids)).subquery())


def first_channel_sql(facts: Any, channels: list[str], at: datetime, template_id: str | None = None) \
        -> ColumnElement[str]:
    """SQL for the first usable channel of `channels` at `at`, per row of `reach_facts`, else UNREACHABLE."""
    opened = literal(at - WINDOW, UTCDateTime())
    event_opened = literal(at - MP_EVENT_WINDOW, UTCDateTime())
    mp_window = or_(facts.c.last_mp_in >= opened, facts.c.last_mp_event >= event_opened)
    rules = {
        "kf": and_(facts.c.external_userid.is_not(None), facts.c.last_kf_in >= opened),
        "mp_custom": and_(facts.c.openid.is_not(None), mp_window),
        "mp_template": facts.c.openid.is_not(None) if template_id else literal(False),
        "wecom_mass": and_(facts.c.external_userid.is_not(None), facts.c.guide_id.is_not(None)),
        "guide_task": facts.c.guide_id.is_not(None),
    }
    whens = [(facts.c.opted_out.is_(True), literal(UNREACHABLE))]
    whens += [(rules[channel], literal(channel)) for channel in channels if channel in rules]
    return case(*whens, else_=literal(UNREACHABLE))
