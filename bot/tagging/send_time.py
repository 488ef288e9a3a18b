"""Each customer's best hour to be messaged (`at = "best"` in a playbook step).

Learned from when the customer writes and clicks (their messages, tracked-link and feedback
clicks over the last `WINDOW`), in the configured time zone: an hourly histogram smoothed over
the neighbouring hours (a customer who writes at 20:00 and 21:00 is an evening person, not two
spikes), the hours inside quiet hours left out, the peak taken. Fewer than `MIN_SAMPLES`
observations is no evidence: the step's fallback time is used instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.models import Event, Message
from bot.playbooks.timing import QuietHours

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=90)
MIN_SAMPLES = 5
CLICK_EVENTS = ("link_clicked", "feedback_clicked")
_KERNEL = ((-1, 1.0), (0, 2.0), (1, 1.0))  # neighbouring hours count half


def activity_hours(session: Session, customer_id: int, now: datetime, tz: tzinfo) -> list[int]:
    """Local hours of the customer's messages and clicks within the window."""
    since = now - WINDOW
    moments = list(session.scalars(select(Message.created_at).where(
        Message.customer_id == customer_id, Message.direction == "in", Message.created_at >= since)))
    moments += session.scalars(select(Event.occurred_at).where(
        Event.customer_id == customer_id, Event.type.in_(CLICK_EVENTS), Event.occurred_at >= since))
    return [moment.astimezone(tz).hour for moment in moments]


def best_hour(hours: list[int], quiet: QuietHours, min_samples: int = MIN_SAMPLES) -> time | None:
    """The smoothed peak hour, moved out of quiet hours; None below `min_samples` observations."""
    if len(hours) < min_samples:
        return None
    counts = [0] * 24
    for hour in hours:
        counts[hour] += 1
    smoothed = [sum(weight * counts[(hour + shift) % 24] for shift, weight in _KERNEL) for hour in range(24)]
    day = datetime(2026, 1, 15, tzinfo=quiet.tz)  # any ordinary day: quiet hours are wall-clock times
    allowed = {hour for hour in range(24) if not quiet.contains(day.replace(hour=hour))}
    if not allowed:
        return None
    # Ties go to the earlier hour, so the answer never depends on iteration order.
    peak = max(range(24), key=lambda hour: (smoothed[hour], -hour))
    # A night owl's peak falls in quiet hours: the nearest hour outside them, the earlier one first
    # (the evening before the quiet window rather than the next morning).
    for shift in range(24):
        for hour in ((peak - shift) % 24, (peak + shift) % 24):
            if hour in allowed:
                return time(hour, 0)
    return None


def customer_best_time(session: Session, customer_id: int, now: datetime, tz: tzinfo,
                       quiet: QuietHours) -> time | None:
    """The customer's best hour, or None when there is too little to go on."""
    return best_hour(activity_hours(session, customer_id, now, tz), quiet)



def best_times(session: Session, customer_ids: Select[Any] | Iterable[int], now: datetime, tz: tzinfo,
               quiet: QuietHours) -> dict[int, time]:
    """The best hour of each customer in `customer_ids` (a select of ids, or ids) who has one.

    One pass over the window's messages and clicks of all of them, not a query per customer:
    the what-if asks this for everyone a playbook would reach.
    """
    ids = customer_ids if isinstance(customer_ids, Select) else list(customer_ids)
    since = now - WINDOW
    hours: dict[int, list[int]] = {}
    queries = (
        select(Message.customer_id, Message.created_at).where(
            Message.customer_id.in_(ids), Message.direction == "in", Message.created_at >= since),
        select(Event.customer_id, Event.occurred_at).where(
            Event.customer_id.in_(ids), Event.type.in_(CLICK_EVENTS), Event.occurred_at >= since),
    )
    for query in queries:
        for customer_id, moment in session.execute(query.execution_options(yield_per=5000)):
            hours.setdefault(customer_id, []).append(moment.astimezone(tz).hour)
    return {customer_id: best for customer_id, seen in hours.items()
            if (best := best_hour(seen, quiet)) is not None}
