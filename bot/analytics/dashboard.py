"""The 概览 figures, each one SQL aggregate over indexed columns; nothing loads customers into Python."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, and_, case, func, literal, or_, select, union, union_all
from sqlalchemy.orm import Session

from bot.analytics.rollups import response_clause, rollups_through
from bot.analytics.sqltime import SqlTime
from bot.analytics.stats import Nps
from bot.models import (ChannelCode, Customer, CustomerGuide, DailyActiveCustomer, DailyChannelResponse,
                        DailyMessageCount, Delivery, Event, GuideTask, Message, Staff)
from bot.playbooks.schema import CHANNEL_LABELS

logger = logging.getLogger(__name__)

RETENTION_DAYS = (1, 7, 14, 30)
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
    """Figures over a date range (local days, inclusive); `staff_id` narrows everything to one guide's customers.

    Per-day figures come from the daily rollups (bot/analytics/rollups.py) for the days they hold and
    from the raw rows for the days after (today, and any day the job has not reached yet).
    """

    def __init__(self, session: Session, tz: ZoneInfo, period: DateRange, staff_id: int | None = None) -> None:
        self.session = session
        self.sql = SqlTime(session.get_bind().dialect.name, tz)
        self.period = period
        self.since, self.until = self.sql.range_utc(period.start, period.end)
        self.staff_id = staff_id
        self.through = rollups_through(session)

    def _scoped(self, query: Select[Any], customer_id: Any) -> Select[Any]:
        if self.staff_id is None:
            return query
        return query.where(customer_id.in_(select(Customer.id).where(Customer.guide_id == self.staff_id)))

    def _rolled(self, start: date | None = None) -> tuple[date, date] | None:
        """The days from `start` (the period's first) to the period's last that the rollups hold."""
        first = start or self.period.start
        if self.through is None or self.through < first:
            return None
        return first, min(self.period.end, self.through)

    def _raw_since(self, since: datetime | None = None) -> datetime:
        """The first moment not covered by the rollups (no earlier than `since`, the period's start)."""
        since = since or self.since
        if self.through is None:
            return since
        return max(since, self.sql.day_start(self.through + timedelta(days=1)))

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

    def channel_names(self) -> dict[str, str]:
        """state -> the channel code's name, for the codes 渠道活码 knows (a handful of rows)."""
        return {state: name for state, name in self.session.execute(select(ChannelCode.state, ChannelCode.name))
                if name}

    # -- activity -----------------------------------------------------------------------------

    def messages_by_day(self) -> dict[str, dict[str, int]]:
        result = {d: {"in": 0, "out": 0} for d in self.sql.local_days(self.period.start, self.period.end)}
        since_in = since_out = self.since
        if (rolled := self._rolled()) is not None:
            if self.staff_id is None:
                rows = self.session.execute(
                    select(DailyMessageCount.day, DailyMessageCount.direction, DailyMessageCount.messages)
                    .where(DailyMessageCount.day >= rolled[0], DailyMessageCount.day <= rolled[1]))
                since_out = self._raw_since()
            else:  # a guide's customers: their inbound messages per day are in the per-customer rollup
                rows = self.session.execute(self._scoped(
                    select(DailyActiveCustomer.day, literal("in"), func.sum(DailyActiveCustomer.messages))
                    .where(DailyActiveCustomer.day >= rolled[0], DailyActiveCustomer.day <= rolled[1])
                    .group_by(DailyActiveCustomer.day), DailyActiveCustomer.customer_id))
            for d, direction, count in rows:
                if direction in ("in", "out"):
                    result[d.isoformat()][direction] = int(count)
            since_in = self._raw_since()
        day = self.sql.day(Message.created_at)
        fresh = or_(and_(Message.direction == "in", Message.created_at >= since_in),
                    and_(Message.direction != "in", Message.created_at >= since_out))
        query = self._scoped(select(day, Message.direction, func.count())
                             .where(Message.created_at >= min(since_in, since_out), fresh,
                                    Message.created_at < self.until)
                             .group_by(day, Message.direction), Message.customer_id)
        for d, direction, count in self.session.execute(query):
            if d in result and direction in ("in", "out"):
                result[d][direction] = int(count)
        return result

    def daily_active(self) -> dict[str, int]:
        """Distinct customers who wrote to us (an inbound message on any channel), per local day."""
        counts: dict[str, int] = {}
        if (rolled := self._rolled()) is not None:
            query = self._scoped(select(DailyActiveCustomer.day, func.count())
                                 .where(DailyActiveCustomer.day >= rolled[0], DailyActiveCustomer.day <= rolled[1])
                                 .group_by(DailyActiveCustomer.day), DailyActiveCustomer.customer_id)
            counts.update((d.isoformat(), int(n)) for d, n in self.session.execute(query))
        day = self.sql.day(Message.created_at)
        query = self._scoped(select(day, func.count(func.distinct(Message.customer_id)))
                             .where(Message.direction == "in", Message.customer_id.is_not(None),
                                    Message.created_at >= self._raw_since(), Message.created_at < self.until)
                             .group_by(day), Message.customer_id)
        counts.update((d, int(n)) for d, n in self.session.execute(query))
        return {d: counts.get(d, 0) for d in self.sql.local_days(self.period.start, self.period.end)}

    def _writers(self, first_day: date, since: datetime, until: datetime | None = None) -> list[Select[Any]]:
        """Selects of (customer_id, local day) for every day a customer wrote to us, from `first_day`:
        the rollups' days, then the raw inbound messages after them (up to `until`)."""
        parts: list[Select[Any]] = []
        if self.through is not None and self.through >= first_day:
            parts.append(select(DailyActiveCustomer.customer_id.label("customer_id"),
                                DailyActiveCustomer.day.label("day"))
                         .where(DailyActiveCustomer.day >= first_day, DailyActiveCustomer.day <= self.through))
        raw = select(Message.customer_id.label("customer_id"), self.sql.local_date(Message.created_at).label("day")) \
            .where(Message.direction == "in", Message.customer_id.is_not(None),
                   Message.created_at >= self._raw_since(since))
        parts.append(raw.where(Message.created_at < until) if until is not None else raw)
        return parts

    def monthly_active(self) -> int:
        """Distinct customers with an inbound message in the 30 days ending with the period's last day."""
        first_day = self.period.end - timedelta(days=29)
        parts = [part.with_only_columns(part.selected_columns.customer_id)
                 for part in self._writers(first_day, self.sql.day_start(first_day), self.until)]
        if self.through is not None and self.through > self.period.end:
            parts[0] = parts[0].where(DailyActiveCustomer.day <= self.period.end)
        writers = (parts[0] if len(parts) == 1 else union(*parts)).subquery()
        query = self._scoped(select(func.count(func.distinct(writers.c.customer_id))), writers.c.customer_id)
        return self.session.scalar(query) or 0

    # -- retention, NPS, LTV ------------------------------------------------------------------

    def retention(self, as_of: Any) -> list[Cohort]:
        """Cohorts by week of first contact; retained at day N = wrote to us again on a local day N or more
        days after the day of first contact. Only customers first seen at least N days before `as_of`'s
        local day count for day N."""
        writers = union_all(*self._writers(self.period.start, self.since)).subquery()
        last_in = (select(writers.c.customer_id, func.max(writers.c.day).label("last_day"))
                   .group_by(writers.c.customer_id).subquery())
        week = self.sql.week(Customer.first_seen_at)
        first_day = self.sql.local_date(Customer.first_seen_at)
        age = self.sql.days_between_dates(first_day, literal(as_of.astimezone(self.sql.tz).date(), Date()))
        span = self.sql.days_between_dates(first_day, last_in.c.last_day)
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

    def _first_seen_in_period(self) -> Select[Any]:
        return select(Customer.id).where(Customer.first_seen_at >= self.since, Customer.first_seen_at < self.until)

    def _revenue(self) -> Any:
        """Purchase amounts to date per customer first seen in the period."""
        return (select(Event.customer_id.label("customer_id"),
                       func.sum(Event.data["amount"].as_float()).label("revenue"))
                .where(Event.customer_id.in_(self._first_seen_in_period()), Event.type == "purchase")
                .group_by(Event.customer_id).subquery())

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
                 .where(CustomerGuide.customer_id.in_(self._first_seen_in_period()))
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
        totals: dict[str, list[int]] = {}
        since = self.since
        rolled = self._rolled() if self.staff_id is None else None  # the rollup counts everyone's sends
        if rolled is not None:
            rows = self.session.execute(
                select(DailyChannelResponse.channel, func.sum(DailyChannelResponse.sent),
                       func.sum(DailyChannelResponse.responded))
                .where(DailyChannelResponse.day >= rolled[0], DailyChannelResponse.day <= rolled[1])
                .group_by(DailyChannelResponse.channel))
            totals.update((c, [int(n or 0), int(r or 0)]) for c, n, r in rows)
            since = self._raw_since()
        channel = func.coalesce(Delivery.channel, "?")
        query = self._scoped(select(channel, func.count(), func.sum(case((response_clause(self.sql), 1), else_=0)))
                             .where(Delivery.status == "sent", Delivery.sent_at >= since,
                                    Delivery.sent_at < self.until)
                             .group_by(channel), Delivery.customer_id)
        for c, n, r in self.session.execute(query):
            total = totals.setdefault(c, [0, 0])
            total[0] += int(n)
            total[1] += int(r or 0)
        return [{"channel": c, "label": CHANNEL_LABELS.get(c, c), "sent": n, "responded": r,
                 "rate": r / n if n else None}
                for c, (n, r) in sorted(totals.items()) if n]

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
