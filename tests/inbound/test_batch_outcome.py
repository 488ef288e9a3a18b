"""A batch routes its callbacks to the same outcome as routing them one at a time: the same
messages, tags with their reasons, events, stage and opt-out changes, forwards with their
suggestions, queued work and playbook enrolments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.models import Callback, Customer, CustomerTag, Enrolment, Event, GuideForward, Message, Staff, Tag, Task
from bot.schema import upgrade
from bot.db import Database
from tests.conftest import truncate_all
from tests.inbound.race_worker import text_push
from tests.support.harness import PLAYBOOKS_DIR, Harness

# Customers writing in turns, some twice in a row: keyword tags, an opt-out and back, a
# playbook keyword and a tag trigger, a subscribe event between texts, a thank-you (exempt).
PUSHES = [
    ("oBATCH1", "你好，水光针多少钱？"),
    ("oBATCH2", "在吗"),
    ("oBATCH1", "想约个时间"),
    ("oBATCH3", "subscribe"),
    ("oBATCH3", "退订"),
    ("oBATCH2", "价格太贵了，很失望"),
    ("oBATCH4", "热玛吉和光子嫩肤哪个好"),
    ("oBATCH3", "订阅"),
    ("oBATCH1", "谢谢"),
    ("oBATCH4", "在吗，我想请假一次"),
    ("oBATCH2", "退订"),
    ("oBATCH5", "你好"),
]

KEYWORD_PLAYBOOK = """
id = "batch-keyword"
name = "在吗"

[trigger]
keyword = ["在吗"]

[audience]
reentry = "always"

[[steps]]
id = "ask"
after = "1h"
channels = ["guide_task"]
text = "{{ customer.name }}问了在吗"
"""

TAG_PLAYBOOK = """
id = "batch-price"
name = "价格"

[trigger]
tag_added = "关注:价格"

[[steps]]
id = "offer"
after = "2h"
channels = ["guide_task"]
text = "价格问询跟进"
"""


def subscribe_push(openid: str) -> str:
    return (f"<xml><ToUserName>gh_race</ToUserName><FromUserName>{openid}</FromUserName>"
            "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>"
            "<EventKey></EventKey></xml>")


def playbooks(tmp_path: Path) -> Path:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    for source in PLAYBOOKS_DIR.glob("*.toml"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "batch-keyword.toml").write_text(KEYWORD_PLAYBOOK, encoding="utf-8")
    (folder / "batch-price.toml").write_text(TAG_PLAYBOOK, encoding="utf-8")
    return folder


def routed(database_url: str, clock: FrozenClock, folder: Path, batched: bool) -> dict[str, Any]:
    """Store the pushes, route them (in one batch, or each in a transaction of its own) and
    read back everything routing wrote, with no row ids (both runs start from empty tables)."""
    h = Harness(database_url, clock=clock, bot={"playbooks_dir": str(folder)},
                inbound={"sqlite_batch_seconds": 600})
    try:
        h.runtime.processor.stop()
        h.runtime.tasks.stop()
        h.seed_staff()
        ids = []
        for n, (openid, text) in enumerate(PUSHES):
            push = subscribe_push(openid) if text == "subscribe" else text_push(openid, f"7{n:04d}", text)
            ids.append(h.runtime.inbox.accept("mp", push)[0])
        if batched:
            assert h.runtime.processor.drain(max_batches=1) == len(PUSHES)
        else:
            assert all(h.runtime.inbox.process_safely(callback_id).ok for callback_id in ids)
        return outcome(h)
    finally:
        h.close()


def outcome(h: Harness) -> dict[str, Any]:
    with h.db.session() as session:
        openid = dict(session.execute(select(Customer.id, Customer.openid)).all())
        content = dict(session.execute(select(Message.id, Message.content)).all())
        userid = dict(session.execute(select(Staff.id, Staff.userid)).all())

        def plain(data: dict[str, Any]) -> dict[str, Any]:
            return {k: content.get(v) if k == "message_id" else v for k, v in (data or {}).items()
                    if k not in ("event_id", "enrolment_id", "delivery_id")}

        return {
            "callbacks": session.execute(select(Callback.status, Callback.reply, Callback.error)
                                         .order_by(Callback.id)).all(),
            "customers": session.execute(select(Customer.openid, Customer.stage, Customer.opted_out,
                                                Customer.value_tier, Customer.guide_id, Customer.last_active_at,
                                                Customer.profile_stale).order_by(Customer.openid)).all(),
            "messages": session.execute(select(Message.customer_id, Message.direction, Message.channel,
                                               Message.msg_type, Message.content, Message.wechat_msgid,
                                               Message.created_at).order_by(Message.id)).all(),
            "tags": sorted((openid[ct.customer_id], name, ct.source, ct.rule, tuple(ct.matched or ()), ct.reason,
                            content.get(ct.message_id), ct.expires_at)
                           for ct, name in session.execute(select(CustomerTag, Tag.name)
                                                           .join(Tag, Tag.id == CustomerTag.tag_id))),
            "events": [(openid[e.customer_id], e.type, plain(e.data), e.source, e.occurred_at)
                       for e in session.scalars(select(Event).order_by(Event.id))],
            "forwards": [(openid[f.customer_id], userid[f.staff_id], content[f.message_id], f.suggestions, f.text,
                          f.exempt, f.status, f.received_at)
                         for f in session.scalars(select(GuideForward).order_by(GuideForward.id))],
            "tasks": sorted((t.kind, t.run_at, str(sorted(plain(t.payload).items())) if t.kind != "guide_forward"
                             else "") for t in session.scalars(select(Task))),
            "enrolments": sorted((openid[e.customer_id], e.playbook_id, e.status, e.trigger_type, e.trigger_at)
                                 for e in session.scalars(select(Enrolment))),
        }


def fresh(database_url: str, tmp_path: Path) -> str:
    """An empty database like the fixture's: a new SQLite file, or the PostgreSQL one truncated."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'one_at_a_time.db'}"
        upgrade(Database(url, FrozenClock()))
        return url
    truncate_all(database_url)
    return database_url


def test_a_batch_routes_to_the_same_outcome_as_one_callback_at_a_time(
        database_url: str, clock: FrozenClock, tmp_path: Path) -> None:
    folder = playbooks(tmp_path)
    start = clock.now()
    batched = routed(database_url, clock, folder, batched=True)
    single = routed(fresh(database_url, tmp_path), FrozenClock(start), folder, batched=False)
    assert batched["messages"] and batched["forwards"] and batched["enrolments"]  # the scenario did something
    assert {name for _, name, *_ in batched["tags"]} >= {"关注:价格", "状态:订阅"}
    for part in batched:
        assert batched[part] == single[part], part
