"""剧本效果's rollups: a playbook's counts per local day of entry, kept by the daily rollups job.

The report needs, per playbook, enrolments by status (and whether held out), deliveries by step
and status (with errcodes, replies and clicks), the A/B arms' enrolments and conversions, and the
想了解 answers. Every count but the answers belongs to one enrolment, so it is bucketed by the
local day the enrolment entered (`enrolled_at`): a day's rows are exact sums over that day's
enrolments, and the days add up to the whole.

Those rows change long after their day: a step is sent days later, a reply or a click comes in, the
enrolment converts or ends. Each run therefore recomputes every rolled-up day that has an
enrolment, a delivery (`updated_at`) or a click (`created_at`) changed since the previous run's
mark, and the report reads such days, and the days after the last rolled-up one, from the raw rows
(`changed_days`). So the report is exact at any moment, and costs the changed days, not the
playbook's whole history. The answers are events, which never change, bucketed by their own day.

A day is computed with one INSERT ... SELECT per kind, grouped by day, so the first run (every
day of a year) is a handful of statements per month of history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, delete, distinct, exists, func, insert, literal, or_, select, \
    true, union
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.analytics.sqltime import SqlTime
from bot.db import Database
from bot.models import Delivery, Enrolment, Event, LinkClick, PlaybookReportDay, SharedValue, TrackedLink

logger = logging.getLogger(__name__)

HOLDOUT = "holdout"  # the engine's marker for a held-out customer's deliveries
FEEDBACK_OPTIONS = ("interested", "not_interested")
THROUGH_KEY = "analytics:playbook_rollups_through"
MARK_KEY = "analytics:playbook_rollups_mark"
# The oldest day the job still recomputes: retention may have begun deleting the rows of older days,
# so their rollups are final, and the report reads them even when one of their rows changed.
OLDEST_KEY = "analytics:playbook_rollups_oldest"
# Changes stamped up to this long before a run began may commit after it read them: the next run
# looks at them again.
MARK_MARGIN = timedelta(minutes=5)
CHUNK_DAYS = 31  # days computed in one transaction on the first run
COLUMNS = ["day", "playbook_id", "kind", "step_id", "status", "variant", "errcode", "rows", "replied", "clicked",
           "converted"]
ENROLMENT_KINDS = ("enrolment", "delivery", "arm")


def _text(value: str) -> Any:
    return literal(value, String())


def _zero() -> Any:
    return literal(0)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def enrolment_facts(sql: SqlTime, where: Any) -> list[Select[Any]]:
    """SELECTs of rows shaped like playbook_report_days for the enrolments matching `where`."""
    day = sql.local_date(Enrolment.enrolled_at).label("day")
    held = exists(select(Delivery.id).where(Delivery.enrolment_id == Enrolment.id, Delivery.variant == HOLDOUT))
    people = select(day, Enrolment.playbook_id.label("playbook_id"), Enrolment.status.label("status"),
                    case((held, _text(HOLDOUT)), else_=_text("")).label("variant")).where(where).subquery()
    enrolments = select(people.c.day, people.c.playbook_id, _text("enrolment"), _text(""), people.c.status,
                        people.c.variant, _text(""), func.count(), _zero(), _zero(), _zero()) \
        .group_by(people.c.day, people.c.playbook_id, people.c.status, people.c.variant)

    clicked = exists(select(LinkClick.id).join(TrackedLink, TrackedLink.id == LinkClick.link_id)
                     .where(TrackedLink.delivery_id == Delivery.id, TrackedLink.url.not_like("feedback:%")))
    errcode = case((Delivery.status == "failed", func.coalesce(cast(Delivery.errcode, String), _text("未知"))),
                   else_=_text(""))
    sends = select(day, Delivery.playbook_id.label("playbook_id"), Delivery.step_id.label("step_id"),
                   Delivery.status.label("status"), errcode.label("errcode"),
                   case((Delivery.replied_at.is_not(None), 1), else_=0).label("replied"),
                   case((clicked, 1), else_=0).label("clicked")) \
        .join(Enrolment, Enrolment.id == Delivery.enrolment_id).where(where).subquery()
    deliveries = select(sends.c.day, sends.c.playbook_id, _text("delivery"), sends.c.step_id, sends.c.status,
                        _text(""), sends.c.errcode, func.count(), func.sum(sends.c.replied),
                        func.sum(sends.c.clicked), _zero()) \
        .group_by(sends.c.day, sends.c.playbook_id, sends.c.step_id, sends.c.status, sends.c.errcode)

    arm_rows = select(day, Delivery.playbook_id.label("playbook_id"), Delivery.step_id.label("step_id"),
                      Delivery.variant.label("variant"), Enrolment.id.label("enrolment_id"),
                      case((Enrolment.status == "converted", 1), else_=0).label("converted")) \
        .join(Enrolment, Enrolment.id == Delivery.enrolment_id) \
        .where(where, Delivery.variant.is_not(None), Delivery.variant != HOLDOUT).subquery()
    arms = select(arm_rows.c.day, arm_rows.c.playbook_id, _text("arm"), arm_rows.c.step_id, _text(""),
                  arm_rows.c.variant, _text(""), func.count(distinct(arm_rows.c.enrolment_id)), _zero(), _zero(),
                  func.sum(arm_rows.c.converted)) \
        .group_by(arm_rows.c.day, arm_rows.c.playbook_id, arm_rows.c.step_id, arm_rows.c.variant)
    return [enrolments, deliveries, arms]


def feedback_facts(sql: SqlTime, where: Any) -> Select[Any]:
    """想了解 answers of the events matching `where`, by the local day of the answer."""
    answers = select(sql.local_date(Event.created_at).label("day"),
                     Event.data["playbook"].as_string().label("playbook_id"),
                     func.coalesce(Event.data["step"].as_string(), _text("")).label("step_id"),
                     Event.data["option"].as_string().label("status")) \
        .where(Event.type == "feedback_clicked", where).subquery()
    return select(answers.c.day, answers.c.playbook_id, _text("feedback"), answers.c.step_id, answers.c.status,
                  _text(""), _text(""), func.count(), _zero(), _zero(), _zero()) \
        .where(answers.c.status.in_(FEEDBACK_OPTIONS), answers.c.playbook_id.is_not(None)) \
        .group_by(answers.c.day, answers.c.playbook_id, answers.c.step_id, answers.c.status)


def read_value(session: Session, key: str) -> str | None:
    return session.scalar(select(SharedValue.value).where(SharedValue.key == key)) or None


def rolled_through(session: Session) -> tuple[date | None, datetime | None]:
    """The last local day rolled up, and the moment since which changes are not in the rollups yet."""
    through, mark = read_value(session, THROUGH_KEY), read_value(session, MARK_KEY)
    return (date.fromisoformat(through) if through else None, datetime.fromisoformat(mark) if mark else None)


def changed_days(session: Session, sql: SqlTime, since: datetime,
                 playbook_id: str | None = None) -> set[tuple[str, date]]:
    """(playbook, local day of entry) of every enrolment changed since `since`: its status, one of its
    deliveries, or a click on one of their links. The playbook is picked here, not in SQL, so that
    each query walks its change-time index (a playbook filter tempts SQLite into its playbook index)."""
    day = sql.local_date(Enrolment.enrolled_at)
    changed = union(
        select(Enrolment.playbook_id, day).where(Enrolment.updated_at >= since),
        select(Enrolment.playbook_id, day).join(Delivery, Delivery.enrolment_id == Enrolment.id)
        .where(Delivery.updated_at >= since),
        select(Enrolment.playbook_id, day).join(Delivery, Delivery.enrolment_id == Enrolment.id)
        .join(TrackedLink, TrackedLink.delivery_id == Delivery.id)
        .join(LinkClick, LinkClick.link_id == TrackedLink.id).where(LinkClick.created_at >= since))
    return {(playbook, _as_date(day)) for playbook, day in session.execute(changed)
            if playbook_id is None or playbook == playbook_id}


def _spans(days: Iterable[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days, as (first, last)."""
    spans: list[tuple[date, date]] = []
    for day in sorted(days):
        if spans and spans[-1][1] + timedelta(days=1) == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def _entered(sql: SqlTime, playbook_id: str, first: date, last: date | None) -> Any:
    """The playbook's enrolments entered from `first` to `last` (open-ended without): one index range."""
    since = sql.day_start(first)
    if last is None:
        return and_(Enrolment.playbook_id == playbook_id, Enrolment.enrolled_at >= since)
    return and_(Enrolment.playbook_id == playbook_id, Enrolment.enrolled_at >= since,
                Enrolment.enrolled_at < sql.day_start(last + timedelta(days=1)))


def report_rows(session: Session, sql: SqlTime, playbook_id: str) -> list[tuple[Any, ...]]:
    """(kind, step, status, variant, errcode, rows, replied, clicked, converted) summed over the playbook's
    whole history: the rollups for the days they hold unchanged, the raw rows for the rest."""
    through, mark = rolled_through(session)
    fact_columns = ("kind", "step_id", "status", "variant", "errcode")
    rows: list[tuple[Any, ...]] = []
    answered: Any = Event.data["playbook"].as_string() == playbook_id
    if through is None or mark is None:
        raw: list[Any] = [Enrolment.playbook_id == playbook_id]
    else:
        oldest = read_value(session, OLDEST_KEY)
        first = date.fromisoformat(oldest) if oldest else date.min
        stale = {day for _, day in changed_days(session, sql, mark, playbook_id) if first <= day <= through}
        raw = [_entered(sql, playbook_id, first, last) for first, last in _spans(stale)]
        raw.append(_entered(sql, playbook_id, through + timedelta(days=1), None))
        answered = and_(Event.created_at >= sql.day_start(through + timedelta(days=1)), answered)
        r = PlaybookReportDay
        kept = or_(r.kind == "feedback", r.day.not_in(sorted(stale))) if stale else true()
        rows += session.execute(
            select(*(getattr(r, c) for c in fact_columns), func.sum(r.rows), func.sum(r.replied),
                   func.sum(r.clicked), func.sum(r.converted))
            .where(r.playbook_id == playbook_id, r.day <= through, kept)
            .group_by(*(getattr(r, c) for c in fact_columns))).all()
    queries = [query for where in raw for query in enrolment_facts(sql, where)]
    for query in [*queries, feedback_facts(sql, answered)]:
        rows += [tuple(row[2:]) for row in session.execute(query)]
    return rows


class PlaybookRollups:
    """The job's part for 剧本效果: new whole days, and the rolled-up days that changed since the last run."""

    def __init__(self, db: Database, sql: SqlTime) -> None:
        self.db = db
        self.sql = sql

    def run(self, last_day: date, oldest: date) -> int:
        """Roll up the new days to `last_day`, and recompute the changed ones; days before `oldest`
        (retention may have begun deleting their rows) are never recomputed. Returns how many whole
        days and changed (playbook, day) were computed."""
        now = self.db.clock.now()
        with self.db.read_session() as session:
            through, mark = rolled_through(session)
            first = session.scalar(select(func.min(Enrolment.enrolled_at)))
            first_answer = session.scalar(select(func.min(Event.created_at)).where(Event.type == "feedback_clicked"))
            changed = changed_days(session, self.sql, mark) if mark is not None and through is not None else set()
        new_mark = now - MARK_MARGIN
        starts = [self._local_day(m) for m in (first, first_answer) if m is not None]
        computed = 0
        if starts:
            # New days from the first one, whatever retention has deleted (what is left is what the raw
            # rows would say); only recomputing a changed day stops at `oldest`.
            start = min(starts) if through is None else through + timedelta(days=1)
            day = start
            while day <= last_day:
                end = min(day + timedelta(days=CHUNK_DAYS - 1), last_day)
                with self.db.session() as session:
                    self._compute_days(session, day, end)
                    self._store(session, THROUGH_KEY, end.isoformat())
                computed += (end - day).days + 1
                day = end + timedelta(days=1)
        redo = sorted((playbook, day) for playbook, day in changed
                      if through is not None and oldest <= day <= through)
        for playbook, day in redo:
            with self.db.session() as session:
                self._recompute_day(session, playbook, day)
        with self.db.session() as session:
            self._store(session, MARK_KEY, new_mark.isoformat())
            if oldest > date.min:
                self._store(session, OLDEST_KEY, oldest.isoformat())
            if through is None and not starts:
                self._store(session, THROUGH_KEY, last_day.isoformat())
        if computed or redo:
            logger.info("剧本效果 rollups: %d new day(s), %d changed (playbook, day)", computed, len(redo))
        return computed + len(redo)

    def _compute_days(self, session: Session, start: date, end: date) -> None:
        since, until = self.sql.range_utc(start, end)
        r = PlaybookReportDay
        session.execute(delete(r).where(r.day >= start, r.day <= end))
        entered = and_(Enrolment.enrolled_at >= since, Enrolment.enrolled_at < until)
        answered = and_(Event.created_at >= since, Event.created_at < until)
        for query in [*enrolment_facts(self.sql, entered), feedback_facts(self.sql, answered)]:
            session.execute(insert(r).from_select(COLUMNS, query))

    def _recompute_day(self, session: Session, playbook_id: str, day: date) -> None:
        r = PlaybookReportDay
        session.execute(delete(r).where(r.day == day, r.playbook_id == playbook_id, r.kind.in_(ENROLMENT_KINDS)))
        for query in enrolment_facts(self.sql, _entered(self.sql, playbook_id, day, day)):
            session.execute(insert(r).from_select(COLUMNS, query))

    def _store(self, session: Session, key: str, value: str) -> None:
        row = session.get(SharedValue, key)
        if row is None:
            session.add(SharedValue(key=key, value=value, updated_at=self.db.clock.now()))
        else:
            row.value, row.updated_at = value, self.db.clock.now()

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.sql.tz).date()
