"""Tracked links: a step's `link` goes out as `/r/<token>`; a click is recorded, then redirected."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.hooks import Hooks
from bot.models import Customer, Delivery, LinkClick, TrackedLink
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)

TOKEN_BYTES = 9  # 12 URL-safe characters


def tracked_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/r/{token}"


def link_for(session: Session, delivery_id: int, url: str) -> TrackedLink:
    """The delivery's tracked link to `url`, created once (a retried delivery keeps its link)."""
    link = session.scalar(select(TrackedLink).where(TrackedLink.delivery_id == delivery_id, TrackedLink.url == url))
    if link is None:
        link = TrackedLink(token=secrets.token_urlsafe(TOKEN_BYTES), delivery_id=delivery_id, url=url)
        session.add(link)
        session.flush()
    return link


def record_click(session: Session, token: str, clock: Clock, hooks: Hooks, user_agent: str = "") -> str | None:
    """Record a click and a `link_clicked` event for the customer; returns the target, None if unknown."""
    link = session.scalar(select(TrackedLink).where(TrackedLink.token == token))
    if link is None:
        return None
    now = clock.now()
    session.add(LinkClick(link_id=link.id, user_agent=user_agent[:255], created_at=now))
    delivery = session.get(Delivery, link.delivery_id)
    customer = session.get(Customer, delivery.customer_id) if delivery else None
    if delivery is not None and customer is not None:
        CustomerService(session, clock, hooks).record_event(
            customer, "link_clicked", now,
            {"url": link.url, "delivery_id": delivery.id, "playbook": delivery.playbook_id, "step": delivery.step_id},
            source="system")
    return link.url
