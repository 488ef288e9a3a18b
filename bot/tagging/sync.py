"""Tags both ways with WeCom corp tags: ours are marked on the contact (`mark_tag`) so guides see
them in the sidebar; tags a guide changes in WeCom come back through `externalcontact/get`."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.jobs.tasks import RetryLater
from bot.models import Customer, Tag
from bot.wechat.outbound import Outbound

logger = logging.getLogger(__name__)

DEFAULT_GROUP = "思域"


def wecom_names(tag: Tag) -> tuple[str, str]:
    """Our `意向:预约` is tag 预约 in WeCom group 意向."""
    group, _, name = tag.name.partition(":")
    return (group, name) if name else (tag.group or DEFAULT_GROUP, tag.name)


def siyu_name(group: str, name: str) -> str:
    return name if group in ("", DEFAULT_GROUP) else f"{group}:{name}"


def sync_wecom_tags(payload: Mapping[str, Any], db: Database, outbound: Outbound) -> None:
    """Task: make the contact's corp tags in WeCom equal to the customer's tags here.

    No transaction stays open across a WeChat call: read, call, then write.
    """
    if outbound.wecom is None:
        return
    with db.session() as session:
        customer = session.get(Customer, payload["customer_id"])
        if customer is None or not customer.external_userid or customer.guide is None:
            return
        missing = {ct.tag.id: wecom_names(ct.tag) for ct in customer.tags if not ct.tag.wecom_tag_id}
    if missing:
        ids = _corp_tag_ids(outbound, set(missing.values()))
        with db.session() as session:
            for tag_id, names in missing.items():
                session.get_one(Tag, tag_id).wecom_tag_id = ids[names]
    with db.session() as session:
        customer = session.get_one(Customer, payload["customer_id"])
        wanted = {ct.tag.wecom_tag_id for ct in customer.tags if ct.tag.wecom_tag_id}
        managed = set(session.scalars(select(Tag.wecom_tag_id).where(Tag.wecom_tag_id.is_not(None))))
        userid, external_userid = customer.guide.userid, customer.external_userid  # type: ignore[union-attr]
    add, remove = sorted(wanted), sorted(managed - wanted)
    if not add and not remove:
        return
    result = outbound.mark_tags(userid, external_userid, add, remove)  # type: ignore[arg-type]
    if not result.settled("mark_tag"):
        return
    with db.session() as session:
        now = db.clock.now()
        for ct in session.get_one(Customer, payload["customer_id"]).tags:
            if ct.tag.wecom_tag_id in wanted:
                ct.synced_at = now


def _corp_tag_ids(outbound: Outbound, names: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """WeCom ids for (group, tag) names, creating the corp tags that do not exist yet."""
    wecom = outbound.wecom
    assert wecom is not None
    listing = outbound.call(lambda: wecom.external_contact.get_corp_tag_list())
    if not listing.ok:  # without the library we cannot tell which tags exist: try again later
        raise RetryLater(f"get_corp_tag_list: errcode {listing.errcode}")
    known = {(group["group_name"], tag["name"]): tag["id"]
             for group in listing.response.get("tag_group", []) for tag in group.get("tag", [])}
    to_create: dict[str, list[str]] = defaultdict(list)
    for group, name in sorted(names - known.keys()):
        to_create[group].append(name)
    for group, tag_names in to_create.items():
        tags = [{"name": name} for name in tag_names]
        created = outbound.call(lambda group=group, tags=tags: wecom.external_contact.add_corp_tag(
            group_id=None, group_name=group, order=None, tags=tags))
        if not created.ok:
            raise RetryLater(f"add_corp_tag: errcode {created.errcode}")
        for tag in created.response.get("tag_group", {}).get("tag", []):
            known[(group, tag["name"])] = tag["id"]
    return {key: known[key] for key in names}


def apply_wecom_tags(session: Session, tagging: Any, customer: Customer,
                     follow_user_tags: Iterable[Mapping[str, Any]]) -> None:
    """A guide's corp-tag edits in WeCom (from `externalcontact/get`) come back as tags here.

    A tag that was synced to WeCom and is no longer there was removed by the guide.
    """
    present: dict[str, tuple[str, str]] = {}
    for item in follow_user_tags:
        if int(item.get("type", 1)) != 1 or not item.get("tag_id"):  # 1 = corp tag; personal tags stay in WeCom
            continue
        present[item["tag_id"]] = (item.get("group_name", ""), item.get("tag_name", ""))
    for tag_id, (group, name) in present.items():
        tag = session.scalar(select(Tag).where(Tag.wecom_tag_id == tag_id))
        full_name = tag.name if tag else siyu_name(group, name)
        if tag is None:
            tag = tagging.tag_named(full_name, group)
            tag.wecom_tag_id = tag_id
        if tagging.add(customer, full_name, source="wecom", reason="企业微信侧边栏添加"):
            customer.tags[-1].synced_at = tagging.clock.now()
    for ct in list(customer.tags):
        if ct.tag.wecom_tag_id and ct.synced_at is not None and ct.tag.wecom_tag_id not in present:
            tagging.remove(customer, ct.tag.name)
