"""A plausible history for the demo, screenshots and bench/console.py: customers, messages, events,
deliveries and tasks over a span of days, written with bulk inserts (100,000 customers in a minute or so)."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from bot.db import Database
from bot.playbooks.loader import playbook_content_hash
from bot.models import (Customer, CustomerGuide, Delivery, Enrolment, Event, GuideTask, Message, PlaybookRecord,
                        PlaybookVersion, Staff)

logger = logging.getLogger(__name__)

GUIDES = [("guide_li", "李导购"), ("guide_wang", "王导购"), ("guide_zhao", "赵顾问")]
CODES = ["store_sh", "store_bj", "poster_2026", "live_1111", None]
STAGES = [("active", 3), ("new", 2), ("dormant", 2), ("churn_risk", 1), ("lost", 1)]
TIERS = [("low", 6), ("medium", 3), ("high", 1)]
CHANNELS = ["kf", "mp_custom", "wecom_mass", "guide_task"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["女士", "先生", "小姐", "美", "婷", "伟", "芳", "娜", "敏", "静"]
BATCH = 5000
SAMPLE_PLAYBOOK = "sample-care"
SAMPLE_PLAYBOOK_TEXT = """# 样例数据的剧本：只为历史数据而存在，默认停用。
id = "sample-care"
name = "示例关怀（样例数据）"
enabled = false

[trigger]
event = "sample_history"

[[steps]]
id = "step1"
after = "2h"
channels = ["kf", "mp_custom", "wecom_mass", "guide_task"]
holdout = 10

[[steps.variants]]
name = "A"
weight = 45
text = "{{ customer.name }}您好，这是样例关怀第一条（A 版）"

[[steps.variants]]
name = "B"
weight = 45
text = "{{ customer.name }}您好，这是样例关怀第一条（B 版）"

[[steps]]
id = "step2"
after = "3d"
channels = ["kf", "mp_custom", "wecom_mass", "guide_task"]
text = "{{ customer.name }}您好，这是样例关怀第二条"

[[steps]]
id = "step3"
after = "6d"
channels = ["kf", "mp_custom", "wecom_mass", "guide_task"]
text = "{{ customer.name }}您好，这是样例关怀第三条"
"""


@dataclass(frozen=True)
class SampleSize:
    customers: int
    days: int = 365


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def seed_history(db: Database, now: datetime, size: SampleSize, seed: int = 7) -> dict[str, int]:
    """Append a sample history ending at `now`; returns how many rows of each kind were written."""
    rng = random.Random(seed)
    with db.session() as session:
        staff_ids = []
        for userid, name in GUIDES:
            staff = session.scalar(select(Staff).where(Staff.userid == userid))
            if staff is None:
                staff = Staff(userid=userid, name=name, created_at=now)
                session.add(staff)
                session.flush()
            staff_ids.append(staff.id)
        if session.get(PlaybookRecord, SAMPLE_PLAYBOOK) is None:
            session.add(PlaybookRecord(id=SAMPLE_PLAYBOOK, name="示例关怀（样例数据）", enabled=False,
                                       current_version=1, created_at=now, updated_at=now))
            session.flush()
            session.add(PlaybookVersion(playbook_id=SAMPLE_PLAYBOOK, version=1, content=SAMPLE_PLAYBOOK_TEXT,
                                        content_hash=playbook_content_hash(SAMPLE_PLAYBOOK_TEXT), created_at=now))
            session.flush()
        version_id = session.scalar(select(PlaybookVersion.id).where(PlaybookVersion.playbook_id == SAMPLE_PLAYBOOK))
        first_id = (session.scalar(select(func.max(Customer.id))) or 0) + 1
        first_enrolment = (session.scalar(select(func.max(Enrolment.id))) or 0) + 1
        first_delivery = (session.scalar(select(func.max(Delivery.id))) or 0) + 1
    counts = {"customers": 0, "messages": 0, "events": 0, "deliveries": 0, "tasks": 0}
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("customers", "guides", "messages", "events",
                                                              "enrolments", "deliveries", "tasks")}
    tables = {"customers": Customer, "guides": CustomerGuide, "messages": Message, "events": Event,
              "enrolments": Enrolment, "deliveries": Delivery, "tasks": GuideTask}
    enrolment_id, delivery_id = first_enrolment, first_delivery

    def flush(force: bool = False) -> None:
        if not force and len(rows["customers"]) < BATCH:
            return
        with db.session() as session:
            for kind in ("customers", "guides", "messages", "events", "enrolments", "deliveries", "tasks"):
                if rows[kind]:
                    session.execute(insert(tables[kind]), rows[kind])
                    rows[kind].clear()

    for i in range(size.customers):
        cid = first_id + i
        first_seen = now - timedelta(days=rng.random() * size.days, minutes=rng.randrange(1440))
        guide = rng.choice(staff_ids)
        code = rng.choice(CODES)
        stay = rng.expovariate(1 / 20)  # days the customer keeps writing
        moments = sorted(first_seen + timedelta(days=rng.random() * stay) for _ in range(rng.randint(1, 6)))
        moments = [m for m in moments if m < now] or [first_seen]
        last_active = moments[-1]
        rows["customers"].append({
            "id": cid, "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "external_userid": f"wm_sample_{cid}",
            "openid": f"o_sample_{cid}" if rng.random() < 0.4 else None, "guide_id": guide,
            "stage": _weighted(rng, STAGES), "value_tier": _weighted(rng, TIERS), "opted_out": rng.random() < 0.03,
            "attributes": {}, "first_seen_at": first_seen, "last_active_at": last_active,
            "created_at": first_seen, "updated_at": last_active})
        rows["guides"].append({"customer_id": cid, "staff_id": guide, "state": code, "status": "active",
                               "remark": "", "added_at": first_seen})
        for at in moments:
            rows["messages"].append({"customer_id": cid, "direction": "in", "channel": "kf", "msg_type": "text",
                                     "content": "你好，想咨询一下", "payload": {}, "status": "received", "errmsg": "",
                                     "created_at": at})
            rows["messages"].append({"customer_id": cid, "direction": "out", "channel": "kf", "msg_type": "text",
                                     "content": "您好，请问有什么可以帮您？", "payload": {}, "status": "sent",
                                     "errmsg": "", "created_at": at + timedelta(minutes=2)})
        counts["messages"] += 2 * len(moments)
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 3)):
                rows["events"].append({"customer_id": cid, "type": "purchase", "source": "api", "created_at": now,
                                       "occurred_at": min(now, first_seen + timedelta(days=rng.random() * 60)),
                                       "data": {"amount": rng.choice([99, 199, 680, 1280, 2980])}})
                counts["events"] += 1
        if rng.random() < 0.12:
            rows["events"].append({"customer_id": cid, "type": "nps_answered", "source": "system", "created_at": now,
                                   "occurred_at": min(now, first_seen + timedelta(days=3 + rng.random() * 10)),
                                   "data": {"score": rng.choices(range(11), [1, 1, 1, 1, 2, 2, 3, 5, 8, 9, 7])[0]}})
            counts["events"] += 1
        if rng.random() < 0.5:
            enrolled = first_seen + timedelta(hours=1)
            arm = rng.choices(["A", "B", "holdout"], [45, 45, 10])[0]
            converted = rng.random() < {"A": 0.18, "B": 0.27, "holdout": 0.1}[arm]
            rows["enrolments"].append({"id": enrolment_id, "customer_id": cid, "playbook_id": SAMPLE_PLAYBOOK,
                                       "version_id": version_id, "status": "converted" if converted else "completed",
                                       "trigger_type": "event",
                                       "trigger_at": enrolled, "context": {}, "variants": {}, "reason": "",
                                       "enrolled_at": enrolled, "settle_after": enrolled + timedelta(days=9),
                                       "updated_at": enrolled})
            for step in range(rng.randint(1, 3)):
                sent = enrolled + timedelta(days=step * 3, hours=2)
                if sent >= now:
                    break
                channel = rng.choice(CHANNELS)
                held = arm == "holdout"
                failed = not held and rng.random() < 0.05
                replied = sent + timedelta(hours=rng.random() * 72) if not failed and rng.random() < 0.3 else None
                rows["deliveries"].append({
                    "id": delivery_id, "enrolment_id": enrolment_id, "customer_id": cid,
                    "playbook_id": SAMPLE_PLAYBOOK, "step_id": f"step{step + 1}", "occurrence": 0,
                    "idempotency_key": f"sample:{enrolment_id}:{step}", "due_at": sent,
                    "status": "skipped" if held else "failed" if failed else "sent", "attempts": 1,
                    "channel": None if held else channel, "variant": "holdout" if held else arm if step == 0 else None,
                    "errcode": 45015 if failed else None, "last_error": "holdout" if held else "",
                    "sent_at": None if failed or held else sent,
                    "replied_at": replied if replied and replied < now and not held else None,
                    "created_at": enrolled, "updated_at": sent})
                if channel == "guide_task" and not held:
                    done = sent + timedelta(hours=rng.random() * 30) if rng.random() < 0.7 else None
                    rows["tasks"].append({"staff_id": guide, "customer_id": cid, "delivery_id": delivery_id,
                                          "source": "示例关怀", "text": "请跟进这位客户",
                                          "status": "done" if done and done < now else "open",
                                          "created_at": sent, "done_at": done if done and done < now else None})
                    counts["tasks"] += 1
                delivery_id += 1
                counts["deliveries"] += 1
            enrolment_id += 1
        counts["customers"] += 1
        flush()
    flush(force=True)
    if db.is_postgres:
        with db.session() as session:
            for table in ("customers", "enrolments", "deliveries"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    logger.info("sample history: %s", counts)
    return counts


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
