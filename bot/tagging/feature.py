"""Tagging as a runtime feature: tag on every message, refresh on every event and shortly after
messages, recompute hourly."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot import bulk
from bot.jobs.spec import JobSpec
from bot.models import Customer, Event, Message
from bot.runtime import Runtime
from bot.tagging.service import TaggingService, remember_changes
from bot.tagging.store import RulesStore
from bot.tagging.subscription import subscription_tagger, subscription_wish
from bot.tagging.sync import sync_wecom_tags

logger = logging.getLogger(__name__)

BATCH = 500
# One SQLite write transaction locks every other writer out (the processor moving pushes in from
# the spool, the jobs): a refresh costs a few milliseconds a customer in it (metrics, a stage
# event, behaviour tags), so a batch of 20 holds the lock for tens of milliseconds.
SQLITE_BATCH = 20
SETTLE_EVERY_SECONDS = 5
# Events tagging itself records; refreshing on them again would only find nothing to do.
OWN_EVENTS = frozenset({"tag_added", "tag_removed", "stage_changed", "opted_out", "opted_in"})


class Tagging:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = RulesStore(runtime.config.bot.tag_rules_path, runtime.db)

    def service(self, session: Session) -> TaggingService:
        rules, tagger = self.store.current()
        return TaggingService(session, self.runtime.clock, self.runtime.customers(session), rules, tagger,
                              self.runtime.config.scheduler)

    def subscription_wish(self, text: str) -> str | None:
        """What this text asks of the customer's 状态 (opt out, opt back in), from memory only."""
        rules, _ = self.store.current()
        return subscription_wish(rules, text)

    def on_message(self, session: Session, customer: Customer, message: Message) -> None:
        """Keyword tags at once; stage, tier and behaviour tags by `settle_profiles` shortly after
        (recomputing them for every message cost a quarter of the message's time)."""
        if message.msg_type == "text" and message.content:
            remember_changes(session, message.callback_id, self.service(session).tag_message(customer, message))
        customer.profile_stale = True

    def on_event(self, session: Session, customer: Customer, event: Event) -> None:
        if event.type in self.runtime.config.scheduler.activity_events:
            self.runtime.customers(session).touch(customer, event.occurred_at)
        if event.type not in OWN_EVENTS:
            self.service(session).refresh([customer])

    def settle_profiles(self) -> int:
        """Refresh the customers whose messages left their profile stale, a batch per short
        transaction (SKIP LOCKED on PostgreSQL, so workers share them); returns how many."""
        db, done = self.runtime.db, 0
        size = self._batch()
        while True:
            with db.session() as session:
                # "= 1" on SQLite (not "IS 1"): the form the partial index is declared with.
                stale = Customer.profile_stale == True  # noqa: E712
                query = (select(Customer).where(stale).options(selectinload(Customer.tags))
                         .order_by(Customer.id).limit(size))
                if db.is_postgres:
                    query = query.with_for_update(skip_locked=True, of=Customer)
                batch = list(session.scalars(query).unique())
                if not batch:
                    return done
                # The batch's new tags and events: one INSERT per table at the commit, not one per
                # row (the customers are locked and their tags read above, as a processor's batch).
                bulk.enable(session)
                # Their tags (above), journeys and deliveries read once for the batch, not per
                # customer and per event its refresh records (a first profile adds tags).
                self.runtime.hooks.batch_started(session, batch)
                self.service(session).refresh(batch)
                for customer in batch:
                    customer.profile_stale = False
                done += len(batch)

    def _batch(self) -> int:
        return BATCH if self.runtime.db.is_postgres else SQLITE_BATCH

    def recompute_all(self) -> int:
        """Stages, tiers and behaviour tags for everyone, in batches; never all customers in memory.

        On PostgreSQL each batch is locked with SKIP LOCKED, so two workers share the work; on
        SQLite batches are small, so the write lock is never held long.
        """
        last_id, done = 0, 0
        while True:
            with self.runtime.db.session() as session:
                query = select(Customer).where(Customer.id > last_id).order_by(Customer.id).limit(self._batch())
                if self.runtime.db.is_postgres:
                    query = query.with_for_update(skip_locked=True, of=Customer)
                batch = list(session.scalars(query).unique())
                if not batch:
                    return done
                self.service(session).refresh(batch)
                last_id, done = batch[-1].id, done + len(batch)


def install(runtime: Runtime) -> None:
    tagging = Tagging(runtime)
    runtime.features["tagging"] = tagging
    subscription_tagger(tagging.store.current()[0])  # built now, not in the first push's ack
    runtime.hooks.on_message.append(tagging.on_message)
    runtime.hooks.on_event.append(tagging.on_event)
    runtime.jobs.append(JobSpec("recompute_behaviour", tagging.recompute_all, "interval", {"minutes": 60}))
    runtime.jobs.append(JobSpec("settle_profiles", tagging.settle_profiles, "interval",
                                {"seconds": SETTLE_EVERY_SECONDS}))
    runtime.tasks.functions["sync_wecom_tags"] = sync_wecom_tags
