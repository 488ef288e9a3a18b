"""Tags with a lifetime (issue 13) and customer ids that are never reused (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from bot.clock import Clock, FrozenClock
from bot.db import Database
from bot.models import Customer, CustomerTag, Event
from bot.schema import alembic_config, upgrade
from tests.support.harness import Harness, shipped_tag_rules

RENEWED = '''
[[keyword]]
tag = "会员:已续卡"
negatable = true
lifetime = "30d"
keywords = ["续卡", "续了一年"]
'''


@pytest.fixture
def h(database_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Harness]:
    rules = shipped_tag_rules(tmp_path, RENEWED)
    harness = Harness(database_url, clock=clock, bot={"tag_rules": str(rules)})
    harness.seed_staff()
    yield harness
    harness.close()


def tag_names(h: Harness, customer_id: int) -> set[str]:
    return {t["name"] for t in h.api("GET", f"/api/customers/{customer_id}").json()["tags"]}


def test_a_rule_tag_expires_after_its_lifetime_and_renews_when_said_again(h: Harness, clock: FrozenClock) -> None:
    eu = h.sim.add_customer("续卡会员", userid="guide_li")["external_userid"]
    h.sim.kf_message(eu, "我刚续卡了")
    h.settle()
    cid = h.customer_id(external_userid=eu)
    [renewed] = [t for t in h.api("GET", f"/api/customers/{cid}").json()["tags"] if t["name"] == "会员:已续卡"]
    assert renewed["expires_at"] is not None
    clock.advance(days=20)
    h.sim.kf_message(eu, "又帮朋友问了下，我自己续卡的事没问题吧")  # said again: 30 days from now
    h.settle()
    clock.advance(days=20)
    h.runtime.features["tagging"].recompute_all()
    assert "会员:已续卡" in tag_names(h, cid)
    clock.advance(days=11)
    h.runtime.features["tagging"].recompute_all()
    assert "会员:已续卡" not in tag_names(h, cid)
    with h.db.session() as session:
        removed = session.scalars(select(Event).where(Event.type == "tag_removed")).all()
    assert [e.data.get("reason") for e in removed if e.data["tag"] == "会员:已续卡"] == ["expired"]


def test_a_manual_tag_may_carry_a_lifetime(h: Harness, clock: FrozenClock) -> None:
    eu = h.sim.add_customer("活动", userid="guide_li")["external_userid"]
    h.settle()
    cid = h.customer_id(external_userid=eu)
    assert h.api("POST", f"/api/customers/{cid}/tags", json={"name": "双十一报名", "lifetime": "7d"}).status_code == 201
    assert h.api("POST", f"/api/customers/{cid}/tags", json={"name": "年卡"}).status_code == 201
    bad = h.api("POST", f"/api/customers/{cid}/tags", json={"name": "x", "lifetime": "soon"})
    assert bad.status_code == 400 and "lifetime" in bad.text
    clock.advance(days=8)
    h.runtime.features["tagging"].recompute_all()
    assert {"年卡"} <= tag_names(h, cid) and "双十一报名" not in tag_names(h, cid)


def test_a_bad_lifetime_in_the_rules_is_named() -> None:
    from bot.tagging.rules import RulesError, parse_rules

    with pytest.raises(RulesError) as caught:
        parse_rules('[[keyword]]\ntag = "a:b"\nkeywords = ["x"]\nlifetime = "1 month"\n', source="tags.toml")
    assert any("lifetime" in error for error in caught.value.errors)


def test_a_merged_customers_id_is_never_reused(frozen_harness: Harness) -> None:
    h = frozen_harness
    older = h.sim.add_customer("同一人", userid="guide_li", unionid="uSAME")["external_userid"]
    h.settle()
    h.sim.mp_subscribe("oSAME", unionid="uSAME")  # the same person on the Official Account: merged
    h.settle()
    with h.db.session() as session:
        ids = sorted(session.scalars(select(Customer.id)))
    assert ids == [h.customer_id(external_userid=older)]
    merged_away = ids[0] + 1  # the follower's record took this id before it was merged
    h.sim.mp_subscribe("oNEWCOMER")
    h.settle()
    assert h.customer_id(openid="oNEWCOMER") > merged_away


def test_the_migration_keeps_every_row_and_stops_id_reuse(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}", Clock())
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0012")
        for customer_id in (1, 2):
            conn.execute(text("INSERT INTO customers (id, name, attributes, opted_out, stage, value_tier, "
                              "first_seen_at, created_at, updated_at) VALUES (:id, 'x', '{}', 0, 'new', 'low', "
                              "'2026-11-01 00:00:00', '2026-11-01 00:00:00', '2026-11-01 00:00:00')"),
                         {"id": customer_id})
        conn.execute(text('INSERT INTO tags (id, name, "group", created_at) VALUES (1, \'VIP\', \'\', :at)'),
                     {"at": "2026-11-01 00:00:00"})
        conn.execute(text("INSERT INTO customer_tags (customer_id, tag_id, source, rule, matched, reason, created_at) "
                          "VALUES (2, 1, 'manual', '', '[]', '', '2026-11-01 00:00:00')"))
    upgrade(db)
    with db.session() as session:
        assert [ct.customer_id for ct in session.scalars(select(CustomerTag))] == [2]  # no cascade on rebuild
        session.delete(session.get(Customer, 2))
    with db.session() as session:
        fresh = Customer(name="c", first_seen_at=FrozenClock().now())
        session.add(fresh)
        session.flush()
        assert fresh.id == 3
