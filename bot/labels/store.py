"""The labelled messages: save, replace and delete a label, list the messages to label and the labelled
ones, export them as JSONL (`{"text", "tags"}` a line, the format bench/tagging.py reads)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.models.activity import Message
from bot.models.people import Customer
from bot.models.tags import MessageLabel

EXPORT_BATCH = 1000
POOL = 1000  # the latest customer messages offered for labelling: recent language, a page that stays quick


class LabelError(ValueError):
    """A label that cannot be stored; the message says why, in Chinese, for the operator."""


class UnknownMessage(LabelError):
    """No customer text message has that id."""


@dataclass(frozen=True)
class Said:
    """A customer's text message, with its label if it has one (None: not labelled yet)."""

    message_id: int
    customer_id: int
    customer: str
    text: str
    at: datetime
    tags: tuple[str, ...] | None = None
    labelled_by: str = ""


def _texts() -> Select:  # type: ignore[type-arg]
    """Customers' text messages (what the tagger reads): not the bot's words, not a guide's command."""
    return (select(Message.id, Message.customer_id, Customer.name, Message.content, Message.created_at,
                   MessageLabel.tags, MessageLabel.labelled_by)
            .join(Customer, Customer.id == Message.customer_id)
            .outerjoin(MessageLabel, MessageLabel.message_id == Message.id)
            .where(Message.direction == "in", Message.msg_type == "text", Message.content != ""))


def _said(row: tuple) -> Said:  # type: ignore[type-arg]
    id_, customer_id, name, content, at, tags, by = row
    return Said(id_, customer_id, name or "", content, at, tuple(tags) if tags is not None else None, by or "")


def save_label(session: Session, message_id: int, tags: Collection[str], known: Collection[str], by: str,
               now: datetime) -> MessageLabel:
    """Store (or replace) the tags a customer message should get; every tag must be one of `known`."""
    unknown = sorted(set(tags) - set(known))
    if unknown:
        raise LabelError(f"规则里没有这些标签：{'、'.join(unknown)}")
    found = session.execute(_texts().where(Message.id == message_id)).first()
    if found is None:
        raise UnknownMessage(f"没有这条客户文字消息（id {message_id}）")
    label = session.scalar(select(MessageLabel).where(MessageLabel.message_id == message_id))
    if label is None:
        label = MessageLabel(message_id=message_id)
        session.add(label)
    label.tags, label.labelled_by, label.labelled_at = sorted(set(tags)), by, now
    session.flush()
    return label


def label_wrong(session: Session, message_id: int, wrong: str, given: Collection[str], known: Collection[str],
                by: str, now: datetime) -> MessageLabel:
    """Someone says a message should not have the tag `wrong`: its label becomes its tags without it, the
    label's if it has one, else `given` (what the running rules give it)."""
    label = session.scalar(select(MessageLabel).where(MessageLabel.message_id == message_id))
    tags = set(label.tags) if label is not None else set(given)
    return save_label(session, message_id, tags - {wrong}, {*known, *tags}, by, now)


def delete_label(session: Session, message_id: int) -> bool:
    """Forget a message's label; False when it had none."""
    return bool(session.execute(delete(MessageLabel).where(MessageLabel.message_id == message_id)).rowcount)


def labelled(session: Session) -> list[Said]:
    """Every labelled message, newest first."""
    rows = session.execute(_texts().where(MessageLabel.id.is_not(None)).order_by(Message.id.desc()))
    return [_said(row) for row in rows]


def _listed(pool: int) -> Select:  # type: ignore[type-arg]
    """Of the customers' latest `pool` text messages, the labelled ones and, for each text not labelled on
    any message, its newest message: a text said a hundred times (你好，想咨询一下) is labelled once."""
    latest = _texts().with_only_columns(Message.id).order_by(Message.id.desc()).limit(pool).subquery()
    in_pool = Message.id.in_(select(latest.c.id))
    labelled_texts = select(Message.content).join(MessageLabel, MessageLabel.message_id == Message.id)
    unlabelled = (select(func.max(Message.id)).where(in_pool, Message.content.not_in(labelled_texts))
                  .group_by(Message.content))
    return _texts().where(or_(Message.id.in_(unlabelled), and_(in_pool, MessageLabel.id.is_not(None))))


def to_label(session: Session, limit: int, offset: int = 0, pool: int = POOL) -> list[Said]:
    """The messages to label (`_listed`): the unlabelled first, newest first within each."""
    unlabelled_first = case((MessageLabel.id.is_(None), 0), else_=1)
    rows = session.execute(_listed(pool).order_by(unlabelled_first, Message.id.desc()).limit(limit).offset(offset))
    return [_said(row) for row in rows]


def count_to_label(session: Session, pool: int = POOL) -> int:
    """How many messages `to_label` lists."""
    return session.scalar(select(func.count()).select_from(_listed(pool).subquery())) or 0


def export_lines(session: Session) -> Iterator[str]:
    """The labelled messages as JSONL, oldest first, read in batches."""
    last = 0
    while True:
        rows = session.execute(_texts().where(MessageLabel.id.is_not(None), Message.id > last)
                               .order_by(Message.id).limit(EXPORT_BATCH)).all()
        for row in rows:
            said = _said(row)
            yield json.dumps({"text": said.text, "tags": list(said.tags or ())}, ensure_ascii=False) + "\n"
        if len(rows) < EXPORT_BATCH:
            return
        last = rows[-1][0]
