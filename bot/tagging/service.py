"""Applying tags to customers: keyword tags from messages, behaviour tags and lifecycle from
metrics, manual tags from the API. Every change is recorded as an event playbooks can trigger on."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.clock import Clock
from bot.config import SchedulerConfig
from bot import bulk
from bot.db import insert_if_absent, insert_row
from bot.hooks import batch_reads
from bot.jobs.tasks import TaskQueue
from bot.models import Customer, CustomerTag, Message, Tag
from bot.services.customers import CustomerService
from bot.tagging.behaviour import compute_metrics, guide_deleted, lifecycle_stage, value_tier
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RuleSet
from bot.tagging.subscription import OPT_IN_TAG, OPT_OUT_TAG

logger = logging.getLogger(__name__)

SYNC_DELAY = timedelta(seconds=5)  # tag changes within this window go to WeCom in one mark_tag call


@dataclass(frozen=True)
class TagChange:
    tag: str
    added: bool
    why: str = ""  # an added tag's evidence: the matched words, else the rule's reason


_CHANGES_KEY = "siyu.tag_changes"


def remember_changes(session: Session, callback_id: int | None, changes: Sequence[TagChange]) -> None:
    """Keep what tagging a callback's message changed, for the handlers that follow it."""
    if callback_id is not None and changes:
        session.info.setdefault(_CHANGES_KEY, {}).setdefault(callback_id, []).extend(changes)


def changes_for(session: Session, callback_id: int | None) -> list[TagChange]:
    """The tag changes tagging the message of this callback made (in this session), in order."""
    return list(session.info.get(_CHANGES_KEY, {}).get(callback_id, ()))


class TaggingService:
    def __init__(self, session: Session, clock: Clock, customers: CustomerService, rules: RuleSet,
                 tagger: KeywordTagger, settings: SchedulerConfig) -> None:
        self.session = session
        self.clock = clock
        self.customers = customers
        self.rules = rules
        self.tagger = tagger
        self.settings = settings

    # -- keyword tags ----------------------------------------------------------------------------

    def tag_message(self, customer: Customer, message: Message) -> list[TagChange]:
        """Tag a customer by what they wrote; idempotent for the same message.

        In an exclusive group (状态) the customer keeps only the latest wish: 退订 replaces 订阅.
        """
        changes = []
        lifetimes = {rule.rule_id: rule.lifetime for rule in self.rules.keyword_rules if rule.lifetime}
        for match in self.tagger.tag(message.content):
            if not self.add(customer, match.tag, group=match.group, source="keyword", rule=match.rule,
                            matched=list(match.matched), reason=match.clause, message_id=message.id,
                            lifetime=lifetimes.get(match.rule)):
                continue
            changes.append(TagChange(match.tag, True, "、".join(match.matched) or match.clause))
            if match.group in self.rules.exclusive_groups:
                for ct in list(customer.tags):
                    if ct.tag.group == match.group and ct.tag.name != match.tag and self.remove(customer, ct.tag.name):
                        changes.append(TagChange(ct.tag.name, False))
        if any(c.tag in (OPT_OUT_TAG, OPT_IN_TAG) for c in changes):
            self._apply_subscription(customer)
        return changes

    def _apply_subscription(self, customer: Customer) -> None:
        opted_out = OPT_OUT_TAG in customer.tag_names
        if customer.opted_out != opted_out:
            customer.opted_out = opted_out
            self.customers.record_event(customer, "opted_out" if opted_out else "opted_in", self.clock.now(), {},
                                        source="system")

    # -- any tag -------------------------------------------------------------------------------

    def add(self, customer: Customer, name: str, *, source: str, group: str = "", rule: str = "",
            matched: Sequence[str] = (), reason: str = "", message_id: int | None = None,
            lifetime: timedelta | None = None) -> bool:
        """Put a tag on a customer; False when it was already there (the first evidence is kept).

        With a `lifetime` the tag falls off that long from now; given again, its time starts anew.
        """
        tag = self.tag_named(name, group)
        expires_at = self.clock.now() + lifetime if lifetime else None
        for ct in customer.tags:
            if ct.tag_id == tag.id:
                if expires_at and ct.expires_at and expires_at > ct.expires_at:
                    ct.expires_at = expires_at  # given again: its time starts anew
                return False
        if customer in self.session.new:
            self.session.flush()  # the customer row exists before the tag row refers to it
        values = {"customer_id": customer.id, "tag_id": tag.id, "source": source, "rule": rule,
                  "matched": list(matched), "reason": reason, "message_id": message_id, "expires_at": expires_at}
        if bulk.active(self.session):
            # A batch holds its customers (SQLite's write lock, PostgreSQL's advisory lock), so the
            # tags read with them are all there are: the row goes in with the batch's others. Should a
            # console user tag the customer alike meanwhile, the insert fails and the callback is retried.
            ct = insert_row(self.session, CustomerTag, values)
            set_committed_value(ct, "tag", tag)
            set_committed_value(ct, "customer", customer)
            set_committed_value(customer, "tags", [*customer.tags, ct])
        else:
            added = insert_if_absent(self.session, CustomerTag, values)
            self.session.expire(customer, ["tags"])
            if not added:
                return False  # a concurrent transaction put the same tag on a moment ago
        self.customers.record_event(customer, "tag_added", self.clock.now(),
                                    {"tag": name, "source": source, "rule": rule, "message_id": message_id},
                                    source="system")
        self._queue_sync(customer)
        return True

    def remove(self, customer: Customer, name: str, *, source: str | None = None) -> bool:
        for ct in list(customer.tags):
            if ct.tag.name == name and (source is None or ct.source == source):
                customer.tags.remove(ct)
                self.session.flush()
                self.customers.record_event(customer, "tag_removed", self.clock.now(),
                                            {"tag": name, "source": ct.source}, source="system")
                self._queue_sync(customer)
                return True
        return False

    def expire(self, customers: Sequence[Customer], now: datetime) -> None:
        """Take off the tags whose lifetime is over: they stop counting for audiences and triggers."""
        for customer in customers:
            for ct in list(customer.tags):
                if ct.expires_at is not None and ct.expires_at <= now:
                    customer.tags.remove(ct)
                    self.session.flush()
                    self.customers.record_event(customer, "tag_removed", now,
                                                {"tag": ct.tag.name, "source": ct.source, "reason": "expired"},
                                                source="system")
                    self._queue_sync(customer)

    def tag_named(self, name: str, group: str = "") -> Tag:
        reads = batch_reads(self.session)
        known: dict[str, Tag] = reads.setdefault("tags_by_name", {})  # per transaction
        tag = known.get(name)
        if tag is None and "tags_of_rules" not in reads:
            # The first lookup of a transaction reads every tag the rules can give, in one query.
            wanted = {rule.tag for rule in (*self.rules.keyword_rules, *self.rules.behaviour_rules)} | {name}
            with self.session.no_autoflush:
                known.update((t.name, t) for t in self.session.scalars(select(Tag).where(Tag.name.in_(wanted))))
            reads["tags_of_rules"] = True
            tag = known.get(name)
        elif tag is None:
            with self.session.no_autoflush:  # tags are inserted at once (below), never left pending
                tag = self.session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            insert_if_absent(self.session, Tag, {
                "name": name, "group": group or (name.split(":", 1)[0] if ":" in name else "")})
            tag = self.session.scalars(select(Tag).where(Tag.name == name)).one()
        known[name] = tag
        return tag

    def _queue_sync(self, customer: Customer) -> None:
        """Send the customer's tags to WeCom shortly, in one batched call per customer."""
        if not customer.external_userid or customer.guide_id is None:
            return
        now = self.clock.now()
        bucket = int(now.timestamp() // SYNC_DELAY.total_seconds())
        TaskQueue(self.session, self.clock).enqueue(
            "sync_wecom_tags", f"sync_wecom_tags:{customer.id}:{bucket}", {"customer_id": customer.id},
            run_at=now + SYNC_DELAY)

    # -- behaviour tags and lifecycle --------------------------------------------------------------

    def refresh(self, customers: Sequence[Customer]) -> None:
        """Recompute metrics, stage, value tier and behaviour tags for a batch of customers."""
        if not customers:
            return
        now = self.clock.now()
        self.expire(customers, now)
        metrics = compute_metrics(self.session, customers, now)
        # Only a customer without an active guide can have deleted one: skip the query otherwise.
        deleted = guide_deleted(self.session, [c.id for c in customers if c.guide_id is None and c.external_userid])
        for customer in customers:
            m = metrics[customer.id]
            stage = lifecycle_stage(m, self.settings, customer.id in deleted)
            customer.value_tier = value_tier(m)
            self.customers.change_stage(customer, stage, now)
            values = m.as_dict(stage, customer.value_tier)
            wanted = {rule.tag for rule in self.rules.behaviour_rules if rule.matches(values)}
            have = {ct.tag.name for ct in customer.tags if ct.source == "behaviour"}
            for rule in self.rules.behaviour_rules:
                if rule.tag in wanted - have:
                    self.add(customer, rule.tag, group=rule.group, source="behaviour", rule=rule.rule_id,
                             reason=rule.when)
            for name in have - wanted:
                self.remove(customer, name, source="behaviour")

