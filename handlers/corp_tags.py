"""WeCom corp tag library changes (`change_external_tag`): keep our tags' WeCom ids right."""

from __future__ import annotations

import logging

from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.models import Tag
from bot.routing import Router, Update

logger = logging.getLogger(__name__)
router = Router("corp_tags")


@router.observer("event:change_external_tag:delete", channel="wecom")
def corp_tag_deleted(update: Update, session: Session) -> None:
    """The admin deleted a tag (or a whole group) in WeCom: ours get a new one on the next sync."""
    if update.get("TagType") == "tag_group":
        # We keep no group ids; forgetting every id is safe, the next sync finds the rest by name.
        logger.info("corp tag group %s deleted in WeCom; tag ids will be looked up again", update.get("Id"))
        session.execute(sql_update(Tag).values(wecom_tag_id=None))
        return
    session.execute(sql_update(Tag).where(Tag.wecom_tag_id == update.get("Id")).values(wecom_tag_id=None))
