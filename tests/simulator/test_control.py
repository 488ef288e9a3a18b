"""Control surface: sent-log filters, reset, the page, and the sliding windows."""

from __future__ import annotations

import requests

from bot.simulator import RunningServer, SimulatorClient, SimulatorConfig
from bot.simulator.limits import RateLimit
from bot.wechat.clients import WeComClient


def test_sent_log_filters_and_reset(wecom: WeComClient, sim: SimulatorClient) -> None:
    agent_id = SimulatorConfig().agent_id
    wecom.message.send_text(agent_id, "guide_li", "给李")
    wecom.message.send_text(agent_id, "guide_wang", "给王")

    assert [r["text"] for r in sim.sent(to="guide_wang")] == ["给王"]
    assert len(sim.sent(api="message/send")) == 2
    sim.reset()
    assert sim.sent() == []
    wecom.message.send_text(agent_id, "guide_li", "重置后 token 自动重取")
    assert sim.delivered() == ["重置后 token 自动重取"]


def test_page_renders_in_chinese(sim_server: RunningServer) -> None:
    page = requests.get(sim_server.url + "/")

    assert page.status_code == 200
    assert "微信模拟器" in page.text and "李导购" in page.text


def test_unknown_customer_is_a_clear_error(sim: SimulatorClient) -> None:
    response = requests.post(f"{sim.base_url}/sim/customers/wmNOPE/delete_guide", json={})

    assert response.status_code == 404
    assert "wmNOPE" in response.json()["error"]


def test_rate_limit_needs_room_in_every_window() -> None:
    limit = RateLimit((2, 60), (3, 3600))

    assert [limit.take("u", t) for t in (0, 1, 2)] == [True, True, False]
    assert limit.take("u", 61) is True
    assert limit.take("u", 122) is False  # the hourly window is full
    assert limit.take("u", 3601) is True


def test_existing_contacts_are_known_quietly(wecom: WeComClient, sim: SimulatorClient) -> None:
    """The demo's sample history: contacts from before the bot, answered by the API, not in the page's pickers."""
    sim.existing_customers([{"external_userid": "wm_sample_1", "name": "样例客户", "userid": "guide_li"}])

    contact = wecom.external_contact.get("wm_sample_1")
    assert contact["external_contact"]["name"] == "样例客户"
    assert [f["userid"] for f in contact["follow_user"]] == ["guide_li"]
    assert sim.inbound() == [] and sim.overview()["customers"] == []
    response = requests.post(f"{sim.base_url}/sim/customers/existing", json={"customers": [{"name": "x"}]})
    assert response.status_code == 400 and "external_userid" in response.json()["error"]
