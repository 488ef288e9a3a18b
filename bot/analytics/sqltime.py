"""Calendar arithmetic inside SQL, the same answers on SQLite and PostgreSQL, in the operator's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, Integer, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from bot.models.base import UTCDateTime


class SqlTime:
    """Expressions that bucket stored UTC times by local day and week, and measure days between two times."""

    def __init__(self, dialect: str, tz: ZoneInfo) -> None:
        self.dialect = dialect
        self.tz = tz
        # SQLite has no time zones: the zone's offset now (Asia/Shanghai keeps +08:00 all year).
        offset = datetime.now(tz).utcoffset() or timedelta(0)
        self.sqlite_shift = f"{int(offset.total_seconds() // 60):+d} minutes"

    def day(self, column: Any) -> ColumnElement[str]:
        """'YYYY-MM-DD' of the local day."""
        if self.dialect == "sqlite":
            return func.date(column, self.sqlite_shift)
        return func.to_char(func.timezone(self.tz.key, column), "YYYY-MM-DD")

    def local_date(self, column: Any) -> ColumnElement[date]:
        """The local day as the database stores a Date (comparable with the rollups' `day` columns)."""
        if self.dialect == "sqlite":
            return func.date(column, self.sqlite_shift)
        return cast(func.timezone(self.tz.key, column), Date)

    def days_between_dates(self, start: Any, end: Any) -> ColumnElement[int]:
        """Whole calendar days from one Date to another."""
        if self.dialect == "sqlite":
            return cast(func.julianday(end) - func.julianday(start), Integer)
        return end - start

    def week(self, column: Any) -> ColumnElement[str]:
        """'YYYY-MM-DD' of the Monday starting the local week."""
        if self.dialect == "sqlite":
            return func.date(column, self.sqlite_shift, "-6 days", "weekday 1")
        return func.to_char(func.date_trunc("week", func.timezone(self.tz.key, column)), "YYYY-MM-DD")

    def days_between(self, start: Any, end: Any) -> ColumnElement[float]:
        """(end - start) in days, fractional."""
        if self.dialect == "sqlite":
            return func.julianday(end) - func.julianday(start)
        return cast(func.extract("epoch", end - start), Float) / 86400.0

    @staticmethod
    def moment(value: datetime) -> ColumnElement[datetime]:
        return literal(value, UTCDateTime())

    def day_start(self, day: date) -> datetime:
        """Local midnight starting `day`, as a UTC instant."""
        return datetime.combine(day, time(), self.tz).astimezone(UTC)

    def range_utc(self, start: date, end: date) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) local, as UTC instants."""
        return (datetime.combine(start, time(), self.tz).astimezone(UTC),
                datetime.combine(end + timedelta(days=1), time(), self.tz).astimezone(UTC))

    def local_days(self, start: date, end: date) -> list[str]:
        return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
