"""概览 renders every figure for the chosen period, narrowed to a guide's own customers for guides."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from bot.models import ChannelCode
from tests.console.conftest import Console


def _data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_dashboard_shows_the_period_and_scopes_guides(console: Console) -> None:
    console.add_user("op", "operator")
    console.add_user("li", "guide", wecom_userid="guide_li")
    console.customer("小美", guide="guide_li", state="store_sh", first_seen_at=console.clock.now() - timedelta(days=2))
    console.customer("王先生", guide="guide_wang", state="poster", first_seen_at=console.clock.now())
    html = console.login("op").get("/console/dashboard?start=2026-10-01&end=2026-11-02").get_data(as_text=True)
    data = _data(html)
    assert data["period"] == {"start": "2026-10-01", "end": "2026-11-02"}
    assert data["customers"] == 2 and data["new_by_channel"] == {"poster": 1, "store_sh": 1}
    assert "echarts.min.js" in html and "推荐者（9-10 分）占比减去贬损者" in html   # how NPS is computed
    guide = _data(console.login("li").get("/console/dashboard").get_data(as_text=True))
    assert guide["customers"] == 1 and guide["new_by_channel"] == {"store_sh": 1}


def test_a_bad_date_falls_back_to_the_last_30_days(console: Console) -> None:
    console.add_user("op", "operator")
    response = console.login("op").get("/console/dashboard?start=yesterday")
    assert response.status_code == 200
    assert _data(response.get_data(as_text=True))["period"] == {"start": "2026-10-04", "end": "2026-11-02"}


def test_echarts_is_served_from_the_package(console: Console) -> None:
    response = console.client().get("/console/static/vendor/echarts.min.js")
    assert response.status_code == 200 and b"echarts" in response.data[:2000]


def test_channel_codes_are_named_by_their_channel_code(console: Console) -> None:
    console.add_user("op", "operator")
    console.customer("小美", guide="guide_li", state="store_sh", first_seen_at=console.clock.now())
    console.customer("王先生", guide="guide_wang", state="made_elsewhere", first_seen_at=console.clock.now())
    with console.runtime.db.session() as session:
        session.add(ChannelCode(name="上海门店海报", state="store_sh"))
    data = _data(console.login("op").get("/console/dashboard").get_data(as_text=True))
    assert data["new_by_channel"] == {"store_sh": 1, "made_elsewhere": 1}
    # The page labels a state by its code's name; a state with no code keeps showing as itself.
    assert data["channel_names"] == {"store_sh": "上海门店海报"}
