"""The 概览 figures, each one SQL aggregate over indexed columns; nothing loads customers into Python."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.analytics.sqltime import SqlTime
from bot.analytics.stats import Nps
from bot.models import Customer, CustomerGuide, Delivery, Event, GuideTask, LinkClick, Message, Staff, TrackedLink

logger = logging.getLogger(__name__)

RETENTION_DAYS = (1, 7, 14, 30)
RESPONSE_WINDOW_DAYS = 2  # a reply or click within 48 h of a delivery counts as a response
NO_CODE = "（无渠道码）"


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @classmethod
    def last_days(cls, today: date, days: int = 30) -> DateRange:
        return cls(today - timedelta(days=days - 1), today)


@dataclass
class Cohort:
    week: str
    size: int
    retained: dict[int, tuple[int, int]] = field(default_factory=dict)  # day -> (retained, eligible)

    def rate(self, day: int) -> float | None:
        retained, eligible = self.retained.get(day, (0, 0))
        return retained / eligible if eligible else None


class Dashboard:
    """Figures over a date range (local days, inclusive); `staff_id` narrows everything to one guide's customers."""

    def __init__(self, session: Session, tz: ZoneInfo, period: DateRange, staff_id: int | None = None) -> None:
        self.session = session
        self.sql = SqlTime(session.get_bind().dialect.name, tz)
        self.period = period
        self.since, self.until = self.sql.range_utc(period.start, period.end)
        self.staff_id = staff_id

    def _scoped(self, query: Select[Any], customer_id: Any) -> Select[Any]:
        if self.staff_id is None:
            return query
        return query.where(customer_id.in_(select(Customer.id).where(Customer.guide_id == self.staff_id)))

    # -- the base -----------------------------------------------------------------------------

    def customers_total(self) -> int:
        return self.session.scalar(self._scoped(select(func.count(Customer.id)), Customer.id)) or 0

    def by_stage(self) -> dict[str, int]:
        query = self._scoped(select(Customer.stage, func.count()).group_by(Customer.stage), Customer.id)
        return dict(self.session.execute(query).all())  # type: ignore[arg-type]

    def by_tier(self) -> dict[str, int]:
        query = self._scoped(select(Customer.value_tier, func.count()).group_by(Customer.value_tier), Customer.id)
        return dict(self.session.execute(query).all())  # type: ignore[arg-type]

    def new_by_day(self) -> dict[str, int]:
        day = self.sql.day(Customer.first_seen_at)
        query = self._scoped(select(day, func.count()).where(Customer.first_seen_at >= self.since,
                                                             Customer.first_seen_at < self.until).group_by(day),
                             Customer.id)
        counts = dict(self.session.execute(query).all())
        return {d: int(counts.get(d, 0)) for d in self.sql.local_days(self.period.start, self.period.end)}

    def new_by_channel(self) -> dict[str, int]:
        """Customers who added a guide in the period, by the channel code (state) they added with."""
        code = func.coalesce(CustomerGuide.state, NO_CODE)
        query = self._scoped(select(code, func.count(func.distinct(CustomerGuide.customer_id)))
                             .where(CustomerGuide.added_at >= self.since, CustomerGuide.added_at < self.until)
                             .group_by(code).order_by(func.count(func.distinct(CustomerGuide.customer_id)).desc()),
                             CustomerGuide.customer_id)
        return dict(self.session.execute(query).all())  # type: ignore[arg-type]

    # -- activity -----------------------------------------------------------------------------

    def messages_by_day(self) -> dict[str, dict[str, int]]:
        day = self.sql.day(Message.created_at)
        query = self._scoped(select(day, Message.direction, func.count())
                             .where(Message.created_at >= self.since, Message.created_at < self.until)
                             .group_by(day, Message.direction), Message.customer_id)
        result = {d: {"in": 0, "out": 0} for d in self.sql.local_days(self.period.start, self.period.end)}
        for d, direction, count in self.session.execute(query):
            if d in result and direction in ("in", "out"):
                result[d][direction] = int(count)
        return result

    def daily_active(self) -> dict[str, int]:
        """Distinct customers who wrote to us (an inbound message on any channel), per local day."""
        day = self.sql.day(Message.created_at)
        query = self._scoped(select(day, func.count(func.distinct(Message.customer_id)))
                             .where(Message.direction == "in", Message.customer_id.is_not(None),
                                    Message.created_at >= self.since, Message.created_at < self.until)
                             .group_by(day), Message.customer_id)
        counts = dict(self.session.execute(query).all())
        return {d: int(counts.get(d, 0)) for d in self.sql.local_days(self.period.start, self.period.end)}

    def monthly_active(self) -> int:
        """Distinct customers with an inbound message in the 30 days ending with the period's last day."""
        since = self.until - timedelta(days=30)
        query = self._scoped(select(func.count(func.distinct(Message.customer_id)))
                             .where(Message.direction == "in", Message.created_at >= since,
                                    Message.created_at < self.until), Message.customer_id)
        return self.session.scalar(query) or 0

    # -- retention, NPS, LTV ------------------------------------------------------------------

    def retention(self, as_of: Any) -> list[Cohort]:
        """Cohorts by week of first contact; retained at day N = wrote to us again N or more days after first
        contact. Only customers whose first contact is at least N days before `as_of` count for day N."""
        last_in = (select(Message.customer_id.label("customer_id"), func.max(Message.created_at).label("last_in"))
                   .where(Message.direction == "in", Message.created_at >= self.since)
                   .group_by(Message.customer_id).subquery())
        week = self.sql.week(Customer.first_seen_at)
        age = self.sql.days_between(Customer.first_seen_at, self.sql.moment(as_of))
        span = self.sql.days_between(Customer.first_seen_at, last_in.c.last_in)
        columns: list[Any] = [week, func.count()]
        for n in RETENTION_DAYS:
            columns.append(func.sum(case((age >= n, 1), else_=0)))
            columns.append(func.sum(case((and_(age >= n, span >= n), 1), else_=0)))
        query = self._scoped(select(*columns).outerjoin(last_in, last_in.c.customer_id == Customer.id)
                             .where(Customer.first_seen_at >= self.since, Customer.first_seen_at < self.until)
                             .group_by(week).order_by(week), Customer.id)
        cohorts = []
        for row in self.session.execute(query):
            cohort = Cohort(row[0], int(row[1]))
            for i, n in enumerate(RETENTION_DAYS):
                cohort.retained[n] = (int(row[3 + 2 * i] or 0), int(row[2 + 2 * i] or 0))
            cohorts.append(cohort)
        return cohorts

    def nps(self) -> Nps:
        """Answers to NPS questions (nps_answered events) in the period: 9-10 promote, 0-6 detract."""
        score = Event.data["score"].as_integer()
        query = self._scoped(select(func.sum(case((score >= 9, 1), else_=0)),
                                    func.sum(case((and_(score >= 7, score <= 8), 1), else_=0)),
                                    func.sum(case((score <= 6, 1), else_=0)))
                             .where(Event.type == "nps_answered", Event.occurred_at >= self.since,
                                    Event.occurred_at < self.until), Event.customer_id)
        promoters, passives, detractors = self.session.execute(query).one()
        return Nps(int(promoters or 0), int(passives or 0), int(detractors or 0))

    def _revenue(self) -> Any:
        return (select(Event.customer_id.label("customer_id"),
                       func.sum(Event.data["amount"].as_float()).label("revenue"))
                .where(Event.type == "purchase").group_by(Event.customer_id).subquery())

    def ltv_by_cohort(self) -> list[dict[str, Any]]:
        """Purchase amounts to date per customer, averaged over each week-of-first-contact cohort."""
        revenue = self._revenue()
        week = self.sql.week(Customer.first_seen_at)
        query = self._scoped(select(week, func.count(), func.coalesce(func.sum(revenue.c.revenue), 0))
                             .outerjoin(revenue, revenue.c.customer_id == Customer.id)
                             .where(Customer.first_seen_at >= self.since, Customer.first_seen_at < self.until)
                             .group_by(week).order_by(week), Customer.id)
        return [{"cohort": w, "customers": int(n), "revenue": float(r), "ltv": float(r) / n if n else 0.0}
                for w, n, r in self.session.execute(query)]

    def ltv_by_channel(self) -> list[dict[str, Any]]:
        """The same per channel code: the code each customer (first seen in the period) added a guide with."""
        revenue = self._revenue()
        codes = (select(CustomerGuide.customer_id.label("customer_id"), func.min(CustomerGuide.state).label("code"))
                 .group_by(CustomerGuide.customer_id).subquery())
        code = func.coalesce(codes.c.code, NO_CODE)
        query = self._scoped(select(code, func.count(), func.coalesce(func.sum(revenue.c.revenue), 0))
                             .select_from(Customer)
                             .outerjoin(codes, codes.c.customer_id == Customer.id)
                             .outerjoin(revenue, revenue.c.customer_id == Customer.id)
                             .where(Customer.first_seen_at >= self.since, Customer.first_seen_at < self.until)
                             .group_by(code).order_by(code), Customer.id)
        return [{"channel": c, "customers": int(n), "revenue": float(r), "ltv": float(r) / n if n else 0.0}
                for c, n, r in self.session.execute(query)]

    # -- channels and guides ------------------------------------------------------------------

    def channel_response(self) -> list[dict[str, Any]]:
        """Playbook deliveries sent in the period, per channel, and how many got a reply or a click within 48 h."""
        clicked = exists(select(LinkClick.id).join(TrackedLink, TrackedLink.id == LinkClick.link_id).where(
            TrackedLink.delivery_id == Delivery.id,
            self.sql.days_between(Delivery.sent_at, LinkClick.created_at) <= RESPONSE_WINDOW_DAYS))
        replied = and_(Delivery.replied_at.is_not(None),
                       self.sql.days_between(Delivery.sent_at, Delivery.replied_at) <= RESPONSE_WINDOW_DAYS)
        channel = func.coalesce(Delivery.channel, "?")
        query = self._scoped(select(channel, func.count(), func.sum(case((or_(replied, clicked), 1), else_=0)))
                             .where(Delivery.status == "sent", Delivery.sent_at >= self.since,
                                    Delivery.sent_at < self.until)
                             .group_by(channel).order_by(channel), Delivery.customer_id)
        return [{"channel": c, "sent": int(n), "responded": int(r or 0), "rate": int(r or 0) / n if n else None}
                for c, n, r in self.session.execute(query)]

    def guide_tasks(self) -> list[dict[str, Any]]:
        """Follow-up tasks created in the period per guide: done share and mean hours from task to done."""
        hours = self.sql.days_between(GuideTask.created_at, GuideTask.done_at) * 24
        done = GuideTask.status == "done"
        query = self._scoped(select(Staff.userid, Staff.name, func.count(), func.sum(case((done, 1), else_=0)),
                                    func.avg(case((done, hours), else_=None)))
                             .join(Staff, Staff.id == GuideTask.staff_id)
                             .where(GuideTask.created_at >= self.since, GuideTask.created_at < self.until)
                             .group_by(Staff.userid, Staff.name).order_by(Staff.userid), GuideTask.customer_id)
        return [{"guide": userid, "name": name, "tasks": int(n), "done": int(d or 0),
                 "completion": int(d or 0) / n if n else None,
                 "mean_hours": float(h) if h is not None else None}
                for userid, name, n, d, h in self.session.execute(query)]
