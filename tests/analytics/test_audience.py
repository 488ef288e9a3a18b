"""Audience conditions compiled to SQL pick exactly the customers the Python evaluation picks, on
SQLite and PostgreSQL, for generated conditions; and the what-if's SQL path and its Python path
give the same counts, sample and channels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.analytics import whatif
from bot.analytics.audience import condition_sql
from bot.analytics.whatif import what_if
from bot.clock import FrozenClock
from bot.config import config_from_dict
from bot.db import Database
from bot.models import Customer, CustomerTag, Enrolment, Message, PlaybookRecord, PlaybookVersion, Staff, Tag
from bot.playbooks.engine import customer_context, tag_names
from bot.playbooks.loader import playbook_content_hash
from bot.playbooks.templates import compile_condition, evaluate, template_context

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 2, 28, 2, 0, tzinfo=UTC)      # 10:00 in Shanghai, 28 February of a common year
TAGS = ["VIP", "免打扰", "已复诊"]
STAGES = ["new", "active", "dormant", "lost"]
TIERS = ["low", "mid", "high"]
NAMES = ["王女士", "李先生", "", "C"]
BIRTHDAYS = [date(1990, 2, 28), date(1992, 2, 29), date(1985, 3, 1), None]

ATOMS = ([f"'{t}' in customer.tags" for t in TAGS] + [f"'{t}' not in customer.tags" for t in TAGS]
         + [f"customer.stage == '{s}'" for s in STAGES] + [f"customer.value_tier != '{t}'" for t in TIERS]
         + [f"'{s}' == customer.stage" for s in STAGES[:2]] + [f"customer.name == '{n}'" for n in NAMES]
         + ["customer.stage in ['active', 'dormant']", "customer.value_tier in ('high',)", "customer.stage in []",
            "is_anniversary(customer.birthday, today)", "true", "false"])


def conditions() -> st.SearchStrategy[str]:
    def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(st.builds(lambda a, b: f"({a}) and ({b})", children, children),
                         st.builds(lambda a, b: f"({a}) or ({b})", children, children),
                         st.builds(lambda a: f"not ({a})", children))
    return st.recursive(st.sampled_from(ATOMS), combine, max_leaves=5)


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url, FrozenClock(NOW))
    with database.session() as s:
        guide = Staff(userid="guide_li", name="李导购")
        tags = [Tag(name=t) for t in TAGS]
        s.add_all([guide, *tags])
        s.flush()
        for i in range(48):
            c = Customer(name=NAMES[i % 4], stage=STAGES[i % 4], value_tier=TIERS[i // 4 % 3],
                         birthday=BIRTHDAYS[i // 3 % 4], opted_out=i % 11 == 0, external_userid=f"wm_{i}",
                         openid=f"o_{i}" if i % 2 else None, guide_id=guide.id if i % 5 else None,
                         first_seen_at=NOW - timedelta(days=i))
            s.add(c)
            s.flush()
            for k, tag in enumerate(tags):
                if (i >> k) & 1:
                    s.add(CustomerTag(customer_id=c.id, tag_id=tag.id, source="manual"))
            if i % 3 == 0:
                s.add(Message(customer_id=c.id, direction="in", channel="kf" if i % 2 else "mp", status="received",
                              created_at=NOW - timedelta(hours=i)))
    yield database
    database.dispose()


def chosen_in_python(db: Database, condition: str) -> set[int]:
    compiled = compile_condition(condition)
    with db.session() as s:
        customers = list(s.scalars(select(Customer)).unique())
        tags = tag_names(s, [c.id for c in customers])
        return {c.id for c in customers
                if evaluate(compiled, **template_context(customer=customer_context(s, c, tags.get(c.id, ())),
                                                         now=NOW.astimezone(SH)))}


def chosen_in_sql(db: Database, condition: str) -> set[int]:
    clause = condition_sql(condition, db.engine.dialect.name, NOW.astimezone(SH).date())
    assert clause is not None, condition
    with db.session() as s:
        return set(s.scalars(select(Customer.id).where(clause)))


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(condition=conditions())
def test_sql_and_python_choose_the_same_customers(db: Database, condition: str) -> None:
    assert chosen_in_sql(db, condition) == chosen_in_python(db, condition)


def test_leap_day_birthdays_count_on_28_february_of_a_common_year(db: Database) -> None:
    chosen = chosen_in_sql(db, "is_anniversary(customer.birthday, today)")
    with db.session() as s:
        birthdays = set(s.scalars(select(Customer.birthday).where(Customer.id.in_(chosen))))
    assert birthdays == {date(1990, 2, 28), date(1992, 2, 29)}


@pytest.mark.parametrize("condition", [
    "customer.metrics.messages_30d > 0",
    "customer.name.startswith('王')",
    "'王' in customer.name",
    "customer.stage < 'b'",
    "customer.attributes.city == '上海'",
    "customer.tags",
])
def test_what_has_no_sql_form_is_left_to_python(condition: str) -> None:
    assert condition_sql(condition, "sqlite", date(2027, 2, 28)) is None


PLAYBOOK = """
id = "probe"
name = "probe"

[trigger]
contact_added = true

[audience]
reentry = "never"
when = {when!r}

[[steps]]
id = "now"
after = "1h"
channels = ["kf", "mp_custom", "wecom_mass", "guide_task"]
text = "hi"

[[steps]]
id = "later"
after = "3d"
channels = ["mp_custom", "wecom_mass"]
text = "hi"
"""


def whatif_both_ways(db: Database, condition: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    text = PLAYBOOK.format(when=condition)
    with db.session() as s:
        record = PlaybookRecord(id="probe", name="probe", current_version=1)
        s.add(record)
        s.flush()
        version = PlaybookVersion(playbook_id="probe", version=1, content=text,
                                  content_hash=playbook_content_hash(text))
        s.add(version)
        s.flush()
        second = s.scalars(select(Customer.id).order_by(Customer.id)).all()[1]   # already went through it once
        s.add(Enrolment(customer_id=second, playbook_id="probe", version_id=version.id, trigger_type="event",
                        trigger_at=NOW, enrolled_at=NOW, settle_after=NOW))
    config = config_from_dict({"database": {"url": str(db.engine.url)}})
    with db.session() as s:
        in_sql = what_if(s, config, "probe", NOW)
    monkeypatch.setattr(whatif, "condition_sql", lambda *args: None)
    with db.session() as s:
        in_python = what_if(s, config, "probe", NOW)
    monkeypatch.undo()
    return in_sql, in_python


@pytest.mark.parametrize("condition", [
    "'免打扰' not in customer.tags",
    "'VIP' in customer.tags and customer.stage != 'lost'",
    "not ('已复诊' in customer.tags) or customer.value_tier == 'high'",
    "is_anniversary(customer.birthday, today) and customer.name != ''",
])
def test_the_whatif_counts_the_same_in_sql_and_in_python(db: Database, condition: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    in_sql, in_python = whatif_both_ways(db, condition, monkeypatch)
    assert in_sql.condition_in_sql and not in_python.condition_in_sql
    assert in_sql.entering == len(chosen_in_python(db, condition) - opted_out_or_enrolled(db))
    for field in ("candidates", "excluded", "entering", "sample"):
        assert getattr(in_sql, field) == getattr(in_python, field), field
    for a, b in zip(in_sql.steps, in_python.steps, strict=True):
        assert (a.due, a.channels, a.histogram, a.over_cap) == (b.due, b.channels, b.histogram, b.over_cap)
    assert sum(in_sql.steps[0].channels.values()) == in_sql.entering


def opted_out_or_enrolled(db: Database) -> set[int]:
    with db.session() as s:
        return set(s.scalars(select(Customer.id).where(Customer.opted_out.is_(True)))) | \
            set(s.scalars(select(Enrolment.customer_id).where(Enrolment.playbook_id == "probe")))
