"""Behaviour metrics, lifecycle stage and value tier, computed in batches from messages and events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import SchedulerConfig
from bot.models import Customer, CustomerGuide, Event, Message

# Events that count as a purchase; `data.amount` (yuan) is the spend when given.
PURCHASE_EVENTS = ("purchase", "treatment_completed", "class_attended", "order_completed", "order_paid")
NEW_CUSTOMER_DAYS = 7
STAGES = ("new", "active", "dormant", "churn_risk", "lost")
TIERS = ("high", "medium", "low")


@dataclass(frozen=True)
class Metrics:
    last_active_days: int
    messages_7d: int
    messages_30d: int
    purchases_30d: int
    purchases_90d: int
    purchases_365d: int
    spend_30d: float
    spend_90d: float
    spend_365d: float
    days_since_first_seen: int
    last_purchase_days: int | None
    silent_since_first_day: bool = False  # nothing since the day the customer was added

    def as_dict(self, stage: str, value_tier: str) -> dict[str, Any]:
        values = {**self.__dict__, "stage": stage, "value_tier": value_tier}
        values.pop("silent_since_first_day")
        return values


def compute_metrics(session: Session, customers: Sequence[Customer], now: datetime) -> dict[int, Metrics]:
    """Metrics for a batch, with two aggregate queries rather than one per customer."""
    ids = [c.id for c in customers]
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    messages = {
        customer_id: (last_week, last_month)
        for customer_id, last_week, last_month in session.execute(
            select(Message.customer_id, func.count().filter(Message.created_at >= week_ago), func.count())
            .where(Message.customer_id.in_(ids), Message.direction == "in", Message.created_at >= month_ago)
            .group_by(Message.customer_id))
    }
    purchases: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for customer_id, occurred_at, data in session.execute(
        select(Event.customer_id, Event.occurred_at, Event.data).where(
            Event.customer_id.in_(ids), Event.type.in_(PURCHASE_EVENTS),
            Event.occurred_at >= now - timedelta(days=365))
    ):
        purchases[customer_id].append((occurred_at, _amount(data)))
    result = {}
    for customer in customers:
        bought = purchases.get(customer.id, [])
        last_active = customer.last_active_at or customer.first_seen_at
        last_purchase = max((at for at, _ in bought), default=None)
        result[customer.id] = Metrics(
            last_active_days=_days(now - last_active),
            messages_7d=messages.get(customer.id, (0, 0))[0],
            messages_30d=messages.get(customer.id, (0, 0))[1],
            purchases_30d=_count(bought, now, 30),
            purchases_90d=_count(bought, now, 90),
            purchases_365d=len(bought),
            spend_30d=_spend(bought, now, 30),
            spend_90d=_spend(bought, now, 90),
            spend_365d=round(sum(amount for _, amount in bought), 2),
            days_since_first_seen=_days(now - customer.first_seen_at),
            last_purchase_days=_days(now - last_purchase) if last_purchase else None,
            silent_since_first_day=last_active - customer.first_seen_at < timedelta(days=1),
        )
    return result


def guide_deleted(session: Session, customer_ids: Iterable[int]) -> set[int]:
    """Customers who deleted their guides and have no active relation left."""
    customer_ids = list(customer_ids)
    if not customer_ids:
        return set()
    rows = session.execute(
        select(CustomerGuide.customer_id, func.count().filter(CustomerGuide.status == "active"),
               func.count().filter(CustomerGuide.status == "lost"))
        .where(CustomerGuide.customer_id.in_(customer_ids)).group_by(CustomerGuide.customer_id)
    )
    return {customer_id for customer_id, active, lost in rows if not active and lost}


def lifecycle_stage(metrics: Metrics, settings: SchedulerConfig, deleted_guide: bool) -> str:
    """new → active → dormant (quiet 14 d, or silent since the first day once the first week is
    over) → churn_risk (30 d) → lost (60 d, or deleted the guide)."""
    quiet = metrics.last_active_days
    if deleted_guide or quiet >= settings.lost_days:
        return "lost"
    if quiet >= settings.churn_risk_days:
        return "churn_risk"
    if quiet >= settings.dormant_days:
        return "dormant"
    if metrics.days_since_first_seen < NEW_CUSTOMER_DAYS:
        return "new"
    # Past the first week, a customer who has done nothing since the day they came is not active.
    return "dormant" if metrics.silent_since_first_day else "active"


def value_tier(metrics: Metrics) -> str:
    """RFM: recency, frequency and monetary each score 1–3; 8+ is high, 6+ medium."""
    recency_days = metrics.last_purchase_days if metrics.last_purchase_days is not None else 10_000
    recency = 3 if recency_days <= 30 else 2 if recency_days <= 90 else 1
    frequency = 3 if metrics.purchases_365d >= 4 else 2 if metrics.purchases_365d >= 2 else 1
    monetary = 3 if metrics.spend_365d >= 5000 else 2 if metrics.spend_365d >= 1000 else 1
    score = recency + frequency + monetary
    return "high" if score >= 8 else "medium" if score >= 6 else "low"


def _amount(data: Mapping[str, Any] | None) -> float:
    value = (data or {}).get("amount", 0)
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return 0.0


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


def _count(bought: list[tuple[datetime, float]], now: datetime, days: int) -> int:
    return sum(1 for at, _ in bought if at >= now - timedelta(days=days))


def _spend(bought: list[tuple[datetime, float]], now: datetime, days: int) -> float:
    return round(sum(amount for at, amount in bought if at >= now - timedelta(days=days)), 2)
