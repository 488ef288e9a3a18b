"""What-if on real customers: who would enter now (and who not, why), and each customer's real channel."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from bot.analytics.audience import condition_sql
from bot.analytics.whatif import what_if
from bot.models import Customer, CustomerTag, Message, Staff, Tag
from bot.playbooks.reachability import Reach, reachable
from tests.console.conftest import Console, csrf_token

BIRTHDAY = date(1990, 11, 2)   # the console fixture's clock: 2026-11-02 10:00 Asia/Shanghai


def seed(console: Console) -> dict[str, int]:
    now = console.clock.now()
    ids = {}
    with console.runtime.db.session() as s:
        guide = Staff(userid="guide_li", name="李导购")
        s.add(guide)
        s.flush()

        def person(name: str, *, external: bool = True, openid: bool = False, guided: bool = True,
                   birthday: date = BIRTHDAY, **fields) -> Customer:
            c = Customer(name=name, external_userid=f"wm_{name}" if external else None,
                         openid=f"o_{name}" if openid else None, guide_id=guide.id if guided else None,
                         birthday=birthday, **fields)
            s.add(c)
            s.flush()
            ids[name] = c.id
            return c

        def wrote(c: Customer, channel: str, ago: timedelta) -> None:
            s.add(Message(customer_id=c.id, direction="in", channel=channel, status="received", created_at=now - ago))

        wrote(person("A"), "kf", timedelta(hours=1))                                   # kf window open
        wrote(person("B", external=False, openid=True, guided=False), "mp", timedelta(hours=10))  # OA window open
        person("C")                                                                    # no window: group send
        person("D", opted_out=True)
        dnd = person("E")
        tag = Tag(name="免打扰")
        s.add(tag)
        s.flush()
        s.add(CustomerTag(customer_id=dnd.id, tag_id=tag.id, source="manual"))
        person("F", birthday=date(1990, 6, 1))
        wrote(person("G", external=False, openid=True, guided=False), "mp", timedelta(days=3))  # window closed
    return ids


def test_who_would_enter_and_over_which_channel(console: Console) -> None:
    seed(console)
    with console.runtime.db.session() as session:
        result = what_if(session, console.runtime.config, "birthday", console.clock.now())
    assert result.condition_in_sql
    assert result.candidates == 7 and result.entering == 4
    assert result.excluded == {"已退订": 1, "不符合人群条件": 2}
    [greeting] = result.steps
    assert greeting.channels == {"kf": 1, "mp_custom": 1, "wecom_mass": 1, "none": 1}
    assert sum(greeting.histogram.values()) == 4
    assert {c["name"] for c in result.sample} == {"A", "B", "C", "G"}


def test_the_page_shows_counts_and_channels(console: Console) -> None:
    seed(console)
    console.add_user("op", "operator")
    html = console.login("op").get("/console/playbooks/birthday/whatif").get_data(as_text=True)
    data = json.loads(re.search(r'id="whatif-data">(.*?)</script>', html, re.S).group(1))
    assert data["entering"] == 4 and data["steps"][0]["channels"]["kf"] == 1
    assert "微信客服 1" in html and "无法触达 1" in html and "已退订" in html


def test_an_unusual_condition_is_evaluated_in_python_with_the_same_answer(console: Console) -> None:
    assert condition_sql("customer.name.startswith('A')", "sqlite", date(2026, 11, 2)) is None
    assert condition_sql("'VIP' in customer.tags and customer.stage != 'lost'", "sqlite", date(2026, 11, 2)) \
        is not None
    seed(console)
    playbooks = console.runtime.config.bot.playbooks_dir
    path = f"{playbooks}/birthday.toml"
    text = open(path, encoding="utf-8").read().replace(
        "when = \"'免打扰' not in customer.tags\"",
        "when = \"'免打扰' not in customer.tags and not customer.name.startswith('C')\"")
    console.add_user("op", "operator")
    client = console.login("op")
    token = csrf_token(client, "/console/playbooks/birthday")
    assert client.post("/console/playbooks/birthday", data={"source": text, "csrf_token": token}).status_code == 302
    with console.runtime.db.session() as session:
        result = what_if(session, console.runtime.config, "birthday", console.clock.now())
    assert not result.condition_in_sql and result.entering == 3 and result.excluded["不符合人群条件"] == 3


def test_reachability_rules_for_one_customer() -> None:
    from datetime import UTC, datetime
    at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    fresh = Reach(False, "wm", None, True, at - timedelta(hours=47), None)
    assert reachable(["kf", "wecom_mass", "guide_task"], fresh, at) == ["kf", "wecom_mass", "guide_task"]
    stale = Reach(False, "wm", None, True, at - timedelta(hours=49), None)
    assert reachable(["kf", "mp_custom", "guide_task"], stale, at) == ["guide_task"]
    assert reachable(["mp_template"], Reach(False, None, "o", False, None, None), at, template_id="T") == \
        ["mp_template"]
    assert reachable(["kf", "guide_task"], Reach(True, "wm", None, True, at, None), at) == []


def test_the_cli_prints_the_same_what_if(console: Console, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli.main import main

    seed(console)
    monkeypatch.setenv("SIYU_DATABASE__URL", console.runtime.config.database.url)
    monkeypatch.setenv("SIYU_BOT__PLAYBOOKS_DIR", console.runtime.config.bot.playbooks_dir)
    assert main(["playbook", "whatif", "birthday", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["candidates"] == 7 and data["excluded"]["已退订"] == 1
    assert main(["playbook", "whatif", "no-such-playbook"]) == 1


LOCAL = ZoneInfo("Asia/Shanghai")


def seed_best_hours(console: Console) -> tuple[dict[str, int], FlaskClient]:
    """Three birthday customers, one writing around 20:00, one around 12:00, one new; the birthday
    playbook switched to `at = "best"` through the editor. Their ids, and the operator's client."""
    today = console.clock.now().astimezone(LOCAL).replace(minute=0, second=0, microsecond=0)
    names = {}
    with console.runtime.db.session() as s:
        for name, hour, days in (("晚上聊", 20, 6), ("午休聊", 12, 6), ("新来的", 9, 1)):
            c = Customer(name=name, external_userid=f"wm_{name}", birthday=BIRTHDAY)
            s.add(c)
            s.flush()
            names[name] = c.id
            for day in range(1, days + 1):  # a week of messages around the same local hour
                at = today.replace(hour=hour, minute=10 + day) - timedelta(days=day)
                s.add(Message(customer_id=c.id, direction="in", channel="kf", status="received", created_at=at))
    text = open(f"{console.runtime.config.bot.playbooks_dir}/birthday.toml", encoding="utf-8").read()
    assert 'at = "10:00"' in text
    console.add_user("op", "operator")
    client = console.login("op")
    token = csrf_token(client, "/console/playbooks/birthday")
    best = text.replace('at = "10:00"', 'at = "best"\nfallback = "10:00"')
    assert client.post("/console/playbooks/birthday", data={"source": best, "csrf_token": token}).status_code == 302
    return names, client


def test_at_best_shows_each_sampled_customers_own_hour_and_the_spread(console: Console, monkeypatch,
                                                                        capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli.main import main

    names, client = seed_best_hours(console)
    local = LOCAL
    today = console.clock.now().astimezone(local)
    with console.runtime.db.session() as session:
        result = what_if(session, console.runtime.config, "birthday", console.clock.now())
    assert {c["name"]: c["best_at"] for c in result.sample} == {"晚上聊": "20:00", "午休聊": "12:00", "新来的": None}
    [step] = result.steps
    assert step.best and step.best_hours == {"12:00": 1, "20:00": 1} and step.fallback == 1
    fallback_hour = step.due.astimezone(local).strftime("%Y-%m-%d %H:00")
    day = today.strftime("%Y-%m-%d")
    assert step.histogram == {f"{day} 12:00": 1, f"{day} 20:00": 1, fallback_hour: 1}

    html = client.get("/console/playbooks/birthday/whatif").get_data(as_text=True)
    assert "按每位客户的最佳时间" in html and "12:00 1 人，20:00 1 人" in html and "历史不足的 1 人用备用时间" in html
    sample = re.search(r'id="whatif-sample">(.*?)</table>', html, re.S).group(1)
    assert re.search(r"晚上聊.*?best-at\">20:00<", sample, re.S) and re.search(r"新来的.*?历史不足", sample, re.S)

    # The CLI runs on the real clock: their birthday moves to the real today for it.
    from datetime import datetime

    real_today = datetime.now(local).date()
    with console.runtime.db.session() as s:
        for customer_id in names.values():
            s.get(Customer, customer_id).birthday = real_today.replace(year=1992)  # a leap year: 29 February too
    monkeypatch.setenv("SIYU_DATABASE__URL", console.runtime.config.database.url)
    monkeypatch.setenv("SIYU_BOT__PLAYBOOKS_DIR", console.runtime.config.bot.playbooks_dir)
    capsys.readouterr()
    assert main(["playbook", "whatif", "birthday"]) == 0
    out = capsys.readouterr().out
    assert "at each customer's best hour: 12:00 1, 20:00 1; 1 with too little history" in out
    assert f"#{names['晚上聊']} 晚上聊 20:00" in out and f"#{names['新来的']} 新来的 fallback" in out


def test_the_official_account_window_of_a_subscribe_click_or_scan_is_one_minute(console: Console) -> None:
    """The what-if's SQL and preview's Python agree: a subscribe, menu click or QR scan opens the
    Official Account's window for 1 minute; a message of the follower's own, for 48 hours."""
    from sqlalchemy import select

    from bot.models import Event
    from bot.playbooks.reachability import WINDOW, first_channel_sql, reach_facts, reach_of

    now = console.clock.now()
    with console.runtime.db.session() as s:
        def follower(name: str, event: str | None, ago: timedelta, wrote: timedelta | None = None) -> int:
            c = Customer(name=name, openid=f"o_{name}")
            s.add(c)
            s.flush()
            if event:
                s.add(Event(customer_id=c.id, type=event, occurred_at=now - ago, data={}, source="wechat",
                            created_at=now - ago))
            if wrote is not None:
                s.add(Message(customer_id=c.id, direction="in", channel="mp", status="received",
                              created_at=now - wrote))
            return c.id

        ids = {"subscribed": follower("S", "subscribed", timedelta(seconds=30)),
               "clicked": follower("C", "menu_click", timedelta(seconds=20)),
               "scanned": follower("Q", "qr_scanned", timedelta(seconds=50)),
               "long ago": follower("L", "subscribed", timedelta(minutes=2)),
               "wrote": follower("W", "menu_click", timedelta(hours=5), wrote=timedelta(hours=47))}
        s.flush()

        def channels_at(at):  # type: ignore[no-untyped-def]
            id_list = select(Customer.id).where(Customer.id.in_(ids.values()))
            facts = reach_facts(id_list, at - WINDOW, now)
            rows = dict(s.execute(select(facts.c.customer_id, first_channel_sql(facts, ["mp_custom"], at))).all())
            in_python = {i: ("mp_custom" if reachable(["mp_custom"], reach_of(s, s.get(Customer, i)), at) else "none")
                         for i in ids.values()}
            assert rows == in_python                                    # one rule, two implementations
            return {name: rows[i] for name, i in ids.items()}

        assert channels_at(now) == {"subscribed": "mp_custom", "clicked": "mp_custom", "scanned": "mp_custom",
                                    "long ago": "none", "wrote": "mp_custom"}
        assert channels_at(now + timedelta(minutes=1)) == {
            "subscribed": "none", "clicked": "none", "scanned": "none", "long ago": "none", "wrote": "mp_custom"}
        assert set(channels_at(now + timedelta(hours=2)).values()) == {"none"}


def test_reachability_knows_the_one_minute_window() -> None:
    from datetime import UTC, datetime
    at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    subscribed = Reach(False, None, "o", False, None, None, at - timedelta(seconds=59))
    assert reachable(["mp_custom", "mp_template"], subscribed, at) == ["mp_custom"]
    assert reachable(["mp_custom"], subscribed, at + timedelta(seconds=2)) == []
    assert reachable(["mp_custom"], Reach(False, None, "o", False, None, at - timedelta(hours=47), None), at) \
        == ["mp_custom"]


def test_the_what_if_counts_the_one_minute_window_of_a_subscribe(console: Console, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The console's what-if (its own SQL aggregate) judges the Official Account window as preview
    does: a subscribe a moment ago reaches the follower now, not an hour later."""
    from bot.models import Event
    from bot.playbooks.registry import import_paths
    from tests.playbooks.support import simple_playbook

    path = tmp_path / "follow.toml"
    path.write_text(simple_playbook("follow", trigger="subscribed = true", steps="""
[[steps]]
id = "now"
after = "0min"
channels = ["mp_custom"]
text = "感谢关注"

[[steps]]
id = "later"
after = "1h"
channels = ["mp_custom"]
text = "一小时后"
"""), encoding="utf-8")
    now = console.clock.now()
    with console.runtime.db.session() as s:
        assert import_paths(s, [path]).ok
        subscribed, wrote = Customer(name="S", openid="o_S"), Customer(name="W", openid="o_W")
        s.add_all([subscribed, wrote])
        s.flush()
        s.add(Event(customer_id=subscribed.id, type="subscribed", occurred_at=now - timedelta(seconds=30), data={},
                    source="wechat", created_at=now))
        s.add(Message(customer_id=wrote.id, direction="in", channel="mp", status="received",
                      created_at=now - timedelta(hours=10)))
    with console.runtime.db.session() as session:
        result = what_if(session, console.runtime.config, "follow", console.clock.now())
    first, later = result.steps
    assert first.channels == {"mp_custom": 2}
    assert later.channels == {"mp_custom": 1, "none": 1}


def test_the_quiet_customers_are_counted_alike_whether_few_or_most_are_quiet(console: Console) -> None:
    """re-engagement (14 quiet days): with most customers quiet the what-if scans customers instead of
    searching the last-active index; the counts must not depend on which way it read them."""
    now = console.clock.now()
    with console.runtime.db.session() as s:
        s.add_all([Customer(name=f"active{n}", external_userid=f"wm_a{n}", last_active_at=now - timedelta(days=1))
                   for n in range(9)])
        s.add_all([Customer(name="quiet0", external_userid="wm_q0", last_active_at=now - timedelta(days=20)),
                   Customer(name="never", external_userid="wm_never", last_active_at=None)])
    with console.runtime.db.session() as session:
        few = what_if(session, console.runtime.config, "re-engagement", now)
    assert few.candidates == 1 and {c["name"] for c in few.sample} == {"quiet0"}
    with console.runtime.db.session() as s:
        s.add_all([Customer(name=f"quiet{n}", external_userid=f"wm_q{n}", last_active_at=now - timedelta(days=15 + n))
                   for n in range(1, 40)])
    with console.runtime.db.session() as session:
        most = what_if(session, console.runtime.config, "re-engagement", now)
    assert most.candidates == 40  # the quiet ones; the active and the never-active are not candidates
    assert most.entering + sum(most.excluded.values()) == 40
