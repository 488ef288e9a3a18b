"""The API returns each tag with the reason stored for it (issue 11)."""

from __future__ import annotations

from tests.support.harness import Harness


def test_each_tag_comes_with_its_stored_reason(harness: Harness) -> None:
    external = harness.sim.add_customer("小美", userid="guide_li")["external_userid"]
    harness.sim.kf_message(external, "你好。暂时不需要预约，不过热玛吉大约多少钱？")
    harness.settle()
    customer_id = harness.customer_id(external_userid=external)
    assert harness.api("POST", f"/api/customers/{customer_id}/tags", json={"name": "VIP", "reason": "年卡会员"}
                       ).status_code == 201
    tags = {t["name"]: t for t in harness.api("GET", f"/api/customers/{customer_id}").json()["tags"]}
    assert set(tags) == {"关注:价格", "项目:热玛吉", "VIP", "新客"}  # 新客 by a behaviour rule
    price = tags["关注:价格"]
    assert price["source"] == "keyword" and price["rule"] == "keyword:关注:价格"
    assert price["matched"] == ["多少钱"] and price["reason"] == "热玛吉大约多少钱"  # the clause
    messages = harness.api("GET", f"/api/messages?customer={customer_id}").json()["items"]
    assert price["message_id"] == next(m["id"] for m in messages if m["direction"] == "in")
    assert price["added_at"].startswith("20")
    assert (tags["VIP"]["source"], tags["VIP"]["reason"], tags["VIP"]["rule"]) == ("manual", "年卡会员", None)
    assert (tags["新客"]["rule"], tags["新客"]["message_id"]) == ("behaviour:新客", None)
    assert "days_since_first_seen" in tags["新客"]["reason"]
