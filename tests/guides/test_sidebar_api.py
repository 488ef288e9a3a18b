"""The sidebar's JSON API, signed in through the simulator's OAuth: only the guide's own customers,
bad input refused with a reason, every change recorded."""

from __future__ import annotations

import requests
from sqlalchemy import select

from bot.labels.store import labelled
from bot.models import GuideAction, Message
from tests.support.guide_tasks import open_task
from tests.support.guides import actions, kf_customer, writes
from tests.support.harness import Harness


def signed_in(h: Harness, userid: str) -> requests.Session:
    """A browser session of `userid` after the OAuth round trip through the simulator."""
    http = requests.Session()
    first = http.get(f"{h.bot_url}/sidebar/", allow_redirects=False, timeout=10)
    authorize = first.headers["Location"].removesuffix("#wechat_redirect")
    back = http.get(f"{authorize}&userid={userid}", allow_redirects=False, timeout=10)
    landed = http.get(back.headers["Location"], allow_redirects=False, timeout=10)
    assert landed.status_code == 302 and "siyu_guide" in http.cookies
    return http


def test_the_sidebar_api_serves_the_guides_own_customer_and_records_changes(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    task = open_task(h, customer_id, text="回访")
    li, wang = signed_in(h, "guide_li"), signed_in(h, "guide_wang")
    api = f"{h.bot_url}/sidebar/api"

    profile = li.get(f"{api}/customer", params={"external_userid": external_userid}, timeout=10).json()
    assert profile["name"] == "小美" and profile["ref"] == f"A{customer_id}" and profile["scripts"]
    denied = wang.get(f"{api}/customer", params={"external_userid": external_userid}, timeout=10)
    assert denied.status_code == 403 and "不是您的客户" in denied.json()["message"]
    assert requests.get(f"{api}/customer", params={"external_userid": external_userid}, timeout=10).status_code == 401

    assert li.post(f"{api}/customer/{customer_id}/notes", json={"text": "对酒精过敏"}, timeout=10).json()["notes"]
    assert li.post(f"{api}/customer/{customer_id}/notes", json={"text": ""}, timeout=10).status_code == 400
    assert li.post(f"{api}/customer/{customer_id}/tags", json={"add": [""]}, timeout=10).status_code == 400
    done = li.post(f"{api}/tasks/{task}/done", timeout=10).json()
    assert done["tasks"] == []
    assert wang.post(f"{api}/tasks/{task}/done", timeout=10).status_code == 409
    sent = li.post(f"{api}/customer/{customer_id}/sent", json={"text": "周六见", "script_id": "book-saturday"},
                   timeout=10)
    assert sent.status_code == 200

    with h.db.session() as session:
        rows = session.scalars(select(GuideAction).order_by(GuideAction.id))
        recorded = [(a.command, a.outcome, a.via) for a in rows]
        chat = session.scalars(select(Message).where(Message.channel == "wecom_chat")).one()
    assert ("查看", "ok", "sidebar") in recorded and ("查看", "denied", "sidebar") in recorded
    assert ("备注", "ok", "sidebar") in recorded and ("完成", "ok", "sidebar") in recorded
    assert chat.content == "周六见" and chat.staff_id is not None and chat.direction == "out"


def test_a_guide_marks_a_keyword_tag_wrong_and_its_message_is_labelled(frozen_harness: Harness) -> None:
    h = frozen_harness
    external_userid, customer_id = kf_customer(h, "小美")
    writes(h, external_userid, "想预约下周六做水光针，多少钱？")
    li, wang = signed_in(h, "guide_li"), signed_in(h, "guide_wang")
    api = f"{h.bot_url}/sidebar/api/customer/{customer_id}"
    li.post(f"{api}/tags", json={"add": ["VIP客户"]}, timeout=10)

    profile = li.get(f"{h.bot_url}/sidebar/api/customer", params={"external_userid": external_userid},
                     timeout=10).json()
    tags = {t["name"]: t for t in profile["tags"]}
    assert tags["关注:价格"]["message"] == "想预约下周六做水光针，多少钱？" and tags["关注:价格"]["message_id"]
    assert tags["VIP客户"]["message_id"] is None                                # not from a message: no 标错了

    after = li.post(f"{api}/tags/wrong", json={"tag": "关注:价格"}, timeout=10).json()
    assert "关注:价格" not in {t["name"] for t in after["tags"]}                # off the customer too
    assert label_of(h) == (["意向:预约", "项目:水光针"], "李导购（导购）")
    li.post(f"{api}/tags/wrong", json={"tag": "项目:水光针"}, timeout=10)          # the label is replaced
    assert label_of(h) == (["意向:预约"], "李导购（导购）")

    manual = li.post(f"{api}/tags/wrong", json={"tag": "VIP客户"}, timeout=10)
    assert manual.status_code == 400 and "不是按关键词" in manual.json()["message"]
    assert wang.post(f"{api}/tags/wrong", json={"tag": "意向:预约"}, timeout=10).status_code == 403
    assert label_of(h) == (["意向:预约"], "李导购（导购）")
    assert [(a.command, a.outcome) for a in actions(h) if a.command == "标错了"] == [("标错了", "ok")] * 2


def label_of(h: Harness) -> tuple[list[str], str]:
    """The one labelled message's tags and who labelled it."""
    with h.db.session() as session:
        [said] = labelled(session)
    return list(said.tags or ()), said.labelled_by
