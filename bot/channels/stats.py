"""Numbers per channel code and per referrer: adds in a date range, how many are still kept, and how
many converted after adding. One SQL aggregate each, on the indexed `customer_guides(state, added_at)`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import Customer, CustomerGuide, Event, ReferralCode


@dataclass(frozen=True)
class CodeNumbers:
    adds: int = 0
    kept: int = 0  # the relation is still active: neither side deleted the other
    converted: int = 0  # had a conversion event after adding, before the range's end

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.adds if self.adds else None


@dataclass(frozen=True)
class ReferrerNumbers:
    customer_id: int
    name: str
    state: str
    numbers: CodeNumbers


def conversion_events(config: Config) -> tuple[str, ...]:
    """What counts as a conversion: a purchase, or any event business systems post ([bot] business_events)."""
    return tuple(dict.fromkeys(("purchase", *config.bot.business_events)))


class ChannelStats:
    """Adds through codes added in [since, until); `staff_id` counts only adds to that guide."""

    def __init__(self, session: Session, since: datetime, until: datetime, conversions: Collection[str],
                 staff_id: int | None = None) -> None:
        self.session = session
        self.since, self.until = since, until
        self.conversions = tuple(conversions)
        self.staff_id = staff_id

    def _columns(self) -> tuple:  # type: ignore[type-arg]
        relation = CustomerGuide
        converted = exists(select(Event.id).where(
            Event.customer_id == relation.customer_id, Event.type.in_(self.conversions),
            Event.occurred_at >= relation.added_at, Event.occurred_at < self.until))
        return (func.count(func.distinct(relation.customer_id)),
                func.count(func.distinct(case((relation.status == "active", relation.customer_id)))),
                func.count(func.distinct(case((converted, relation.customer_id)))))

    def _in_range(self) -> list:  # type: ignore[type-arg]
        conditions = [CustomerGuide.added_at >= self.since, CustomerGuide.added_at < self.until]
        if self.staff_id is not None:
            conditions.append(CustomerGuide.staff_id == self.staff_id)
        return conditions

    def by_state(self, states: Collection[str]) -> dict[str, CodeNumbers]:
        if not states:
            return {}
        query = (select(CustomerGuide.state, *self._columns())
                 .where(CustomerGuide.state.in_(list(states)), *self._in_range()).group_by(CustomerGuide.state))
        return {state: CodeNumbers(int(a), int(k), int(c)) for state, a, k, c in self.session.execute(query)}

    def adds_by_day(self, states: Collection[str], day: Any) -> dict[str, dict[str, int]]:
        """Adds per code per local day (`day` turns a time column into a local date string)."""
        if not states:
            return {}
        local_day = day(CustomerGuide.added_at)
        query = (select(CustomerGuide.state, local_day, func.count(func.distinct(CustomerGuide.customer_id)))
                 .where(CustomerGuide.state.in_(list(states)), *self._in_range())
                 .group_by(CustomerGuide.state, local_day))
        found: dict[str, dict[str, int]] = {}
        for state, when, count in self.session.execute(query):
            found.setdefault(state, {})[str(when)] = int(count)
        return found

    def referrers(self, limit: int = 100) -> list[ReferrerNumbers]:
        """Customers whose 推荐码 brought others in the range, most adds first."""
        adds = func.count(func.distinct(CustomerGuide.customer_id))
        query = (select(ReferralCode.customer_id, Customer.name, ReferralCode.state, *self._columns())
                 .join(CustomerGuide, and_(CustomerGuide.state == ReferralCode.state, *self._in_range()))
                 .join(Customer, Customer.id == ReferralCode.customer_id)
                 .group_by(ReferralCode.customer_id, Customer.name, ReferralCode.state)
                 .order_by(adds.desc(), ReferralCode.customer_id).limit(limit))
        return [ReferrerNumbers(cid, name or f"#{cid}", state, CodeNumbers(int(a), int(k), int(c)))
                for cid, name, state, a, k, c in self.session.execute(query)]

    def referral_total(self) -> CodeNumbers:
        query = (select(*self._columns()).select_from(CustomerGuide)
                 .join(ReferralCode, ReferralCode.state == CustomerGuide.state).where(*self._in_range()))
        a, k, c = self.session.execute(query).one()
        return CodeNumbers(int(a or 0), int(k or 0), int(c or 0))
