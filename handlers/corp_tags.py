"""WeCom corp tag library changes (`change_external_tag`): keep our tags' WeCom ids right."""

from __future__ import annotations

import logging

from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.inbound.routing import Router, Update
from bot.models import Tag

logger = logging.getLogger(__name__)
router = Router("corp_tags")


@router.observer("event:change_external_tag:delete", "event:change_external_tag:update", channel="wecom")
def corp_tag_changed(update: Update, session: Session) -> None:
    """The admin deleted or renamed a tag (or a group) in WeCom.

    Tag names are defined here (rules, API), so we forget the WeCom id: the next sync finds the
    tag by its name again, or creates it, instead of marking customers with a tag that now
    means something else.
    """
    if update.get("TagType") == "tag_group":
        # We keep no group ids; forgetting every id is safe, the next sync finds the rest by name.
        logger.info("corp tag group %s changed in WeCom; tag ids will be looked up again", update.get("Id"))
        session.execute(sql_update(Tag).values(wecom_tag_id=None))
        return
    session.execute(sql_update(Tag).where(Tag.wecom_tag_id == update.get("Id")).values(wecom_tag_id=None))
