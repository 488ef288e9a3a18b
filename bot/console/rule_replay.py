"""改动预览: the edited, unsaved tag rules over the customers' latest messages, against the running rules.

Before saving, an operator sees which tags each recent message would gain or lose, how many messages
change, tag by tag, and which messages no rule tags under the edited rules, with the words those
messages share that no rule lists (bot/tagging/candidates.py): the candidates for a keyword. Nothing is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.labels.store import Said
from bot.models.activity import Message
from bot.models.people import Customer
from bot.tagging.candidates import Candidate, shared_words
from bot.tagging.matches import TagMatch

LATEST = 500  # messages read again: enough to see a rule's effect, quick enough to wait for
EXAMPLES = 40  # changed messages and untagged messages listed
SUGGESTIONS = 20


class Tagger(Protocol):
    def tag(self, text: str) -> list[TagMatch]: ...


class Reader(Tagger, Protocol):
    def tokens(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Change:
    said: Said
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def gained(self) -> tuple[str, ...]:
        return tuple(tag for tag in self.after if tag not in self.before)

    @property
    def lost(self) -> tuple[str, ...]:
        return tuple(tag for tag in self.before if tag not in self.after)


@dataclass(frozen=True)
class TagShift:
    tag: str
    before: int  # messages with the tag under the running rules
    after: int  # under the edited rules
    gained: int
    lost: int


@dataclass(frozen=True)
class Replay:
    messages: int  # read again (the latest customer texts, at most LATEST)
    changed: int  # messages whose tags differ
    changes: tuple[Change, ...]  # the newest of them, at most EXAMPLES
    shifts: tuple[TagShift, ...]  # every tag either rule set gives, most moved first
    untagged: int  # messages the edited rules give no tag
    untagged_examples: tuple[Said, ...]  # the newest of them, at most EXAMPLES
    suggestions: tuple[Candidate, ...]  # words of the untagged messages that no rule lists, best first


def latest_texts(session: Session, limit: int = LATEST) -> list[Said]:
    """The customers' latest text messages on every channel, newest first (what the tagger reads)."""
    rows = session.execute(
        select(Message.id, Message.customer_id, Customer.name, Message.content, Message.created_at)
        .join(Customer, Customer.id == Message.customer_id)  # a customer's: not a guide's command to the bot
        .where(Message.direction == "in", Message.msg_type == "text", Message.content != "")
        .order_by(Message.id.desc()).limit(limit))
    return [Said(id_, customer_id, name or "", content, at) for id_, customer_id, name, content, at in rows]


def replay(texts: Sequence[Said], running: Tagger, edited: Reader, listed: frozenset[str],
           examples: int = EXAMPLES) -> Replay:
    """Each text tagged by both rule sets; what differs, counted and listed; and the words of the texts the
    edited rules leave untagged that are not `listed` (the rules' keywords)."""
    changes: list[Change] = []
    untagged: list[Said] = []
    before_counts: Counter[str] = Counter()
    after_counts: Counter[str] = Counter()
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for said in texts:
        before, after = _tags(running, said.text), _tags(edited, said.text)
        before_counts.update(before)
        after_counts.update(after)
        if not after:
            untagged.append(said)
        if before != after:
            change = Change(said, before, after)
            changes.append(change)
            gained.update(change.gained)
            lost.update(change.lost)
    shifts = sorted((TagShift(tag, before_counts[tag], after_counts[tag], gained[tag], lost[tag])
                     for tag in before_counts.keys() | after_counts.keys()),
                    key=lambda shift: (-(shift.gained + shift.lost), -shift.after, shift.tag))
    return Replay(messages=len(texts), changed=len(changes), changes=tuple(changes[:examples]), shifts=tuple(shifts),
                  untagged=len(untagged), untagged_examples=tuple(untagged[:examples]),
                  suggestions=suggest(untagged, edited, listed))


def suggest(untagged: Sequence[Said], reader: Reader, listed: frozenset[str],
            limit: int = SUGGESTIONS) -> tuple[Candidate, ...]:
    """The words two or more untagged messages say and no rule lists (`shared_words`), each with the newest."""
    return shared_words((said.text for said in untagged), reader, listed, limit)


def _tags(tagger: Tagger, text: str) -> tuple[str, ...]:
    return tuple(sorted({match.tag for match in tagger.tag(text)}))
