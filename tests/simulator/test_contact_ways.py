"""Channel codes (add_contact_way and friends): a customer who adds through one carries its state."""

from __future__ import annotations

import requests
from wechatpy.exceptions import WeChatClientException

from bot.simulator import SimulatorClient
from bot.wechat.clients import WeComClient
from tests.simulator.stand_in import StandInBot


def _errcode(call) -> int:  # type: ignore[no-untyped-def]
    try:
        call()
    except WeChatClientException as error:
        return int(error.errcode)
    raise AssertionError("the call was accepted")


def test_a_customer_adding_through_a_code_arrives_with_its_state(wecom: WeComClient, sim: SimulatorClient,
                                                                 stand_in_bot: StandInBot) -> None:
    way = wecom.post("externalcontact/add_contact_way",
                     data={"type": 1, "scene": 2, "state": "ref_42", "user": ["guide_wang"]})

    added = sim.add_customer("小美", config_id=way["config_id"])

    assert added["userid"] == "guide_wang" and added["state"] == "ref_42"
    assert stand_in_bot.work[-1].fields["State"] == "ref_42"
    assert sim.contact_way(way["config_id"])["adds"] == 1
    assert way["qr_code"].endswith(f"/sim/contact_ways/{way['config_id']}/qr.svg")
    image = requests.get(way["qr_code"], timeout=5)
    assert image.headers["Content-Type"].startswith("image/svg+xml") and b"<svg" in image.content


def test_a_multi_member_code_takes_its_members_in_turn(wecom: WeComClient, sim: SimulatorClient) -> None:
    way = wecom.post("externalcontact/add_contact_way",
                     data={"type": 2, "scene": 2, "state": "store_sh", "user": ["guide_li", "guide_wang"]})

    guides = [sim.add_customer(f"客户{i}", config_id=way["config_id"])["userid"] for i in range(3)]

    assert guides == ["guide_li", "guide_wang", "guide_li"]


def test_get_update_and_delete(wecom: WeComClient) -> None:
    created = wecom.post("externalcontact/add_contact_way",
                         data={"type": 1, "scene": 2, "state": "a", "remark": "海报", "user": ["guide_li"]})
    config_id = created["config_id"]

    wecom.post("externalcontact/update_contact_way", data={"config_id": config_id, "state": "b"})
    way = wecom.post("externalcontact/get_contact_way", data={"config_id": config_id})["contact_way"]
    listed = wecom.post("externalcontact/list_contact_way", data={})["contact_way"]
    wecom.post("externalcontact/del_contact_way", data={"config_id": config_id})

    assert way["state"] == "b" and way["remark"] == "海报" and way["user"] == ["guide_li"]
    assert {"config_id": config_id} in listed
    assert _errcode(lambda: wecom.post("externalcontact/get_contact_way", data={"config_id": config_id})) == 41044


def test_bad_configurations_are_refused(wecom: WeComClient) -> None:
    def add(**data):  # type: ignore[no-untyped-def]
        return lambda: wecom.post("externalcontact/add_contact_way", data={"type": 1, "scene": 2, **data})

    assert _errcode(add(user=["nobody"])) == 40003
    assert _errcode(add(user=["guide_li", "guide_wang"])) == 40058  # single code, two members
    assert _errcode(add(user=["guide_li"], state="x" * 31)) == 40058
    assert _errcode(add(user=[])) == 40058
    assert _errcode(add(type=3, user=["guide_li"])) == 40058
