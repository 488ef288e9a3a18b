"""Tracked links: a step's `link` goes out as `/r/<token>`; a click is recorded, then redirected."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.hooks import Hooks
from bot.models import Customer, Delivery, LinkClick, TrackedLink
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)

TOKEN_BYTES = 9  # 12 URL-safe characters


@dataclass(frozen=True)
class ClickFilter:
    """Which hits on a link are the customer's clicks: not previews, crawlers, HEADs or quick repeats."""

    crawlers: re.Pattern[str] | None = None
    repeat: timedelta = timedelta(0)

    @classmethod
    def from_patterns(cls, patterns: list[str], repeat_seconds: int) -> "ClickFilter":
        crawlers = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
        return cls(crawlers, timedelta(seconds=repeat_seconds))

    def machine(self, method: str, user_agent: str) -> bool:
        """A hit no person made: a HEAD, or a User-Agent of a known crawler or link previewer."""
        return method == "HEAD" or bool(self.crawlers and self.crawlers.search(user_agent))


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


@dataclass(frozen=True)
class Hit:
    """A recorded hit on a tracked link: its target, its delivery, and whether it is the customer's click."""

    url: str
    delivery_id: int
    counted: bool


def record_hit(session: Session, token: str, clock: Clock, user_agent: str = "", method: str = "GET",
               clicks: ClickFilter | None = None) -> Hit | None:
    """Keep every hit on a link; None when the token is unknown."""
    link = session.scalar(select(TrackedLink).where(TrackedLink.token == token))
    if link is None:
        return None
    now = clock.now()
    clicks = clicks or ClickFilter()
    counted = not clicks.machine(method, user_agent) and not _clicked_since(session, link.id, now - clicks.repeat)
    session.add(LinkClick(link_id=link.id, user_agent=user_agent[:255], counted=counted, created_at=now))
    if not counted:
        logger.debug("link %s hit by %s %r: not counted as a click", link.id, method, user_agent[:80])
    return Hit(link.url, link.delivery_id, counted)


def record_click(session: Session, token: str, clock: Clock, hooks: Hooks, user_agent: str = "",
                 method: str = "GET", clicks: ClickFilter | None = None) -> str | None:
    """Record a hit and, when it is the customer's click, a `link_clicked` event; returns the target.

    None when the token is unknown. Every hit is kept; only counted ones become events.
    """
    hit = record_hit(session, token, clock, user_agent, method, clicks)
    if hit is not None and hit.counted:
        link_clicked(session, hit, clock, hooks)
    return None if hit is None else hit.url


def link_clicked(session: Session, hit: Hit, clock: Clock, hooks: Hooks) -> None:
    """The `link_clicked` event of a counted click on a link to a web page."""
    delivery = session.get(Delivery, hit.delivery_id)
    customer = session.get(Customer, delivery.customer_id) if delivery else None
    if delivery is not None and customer is not None:
        CustomerService(session, clock, hooks).record_event(
            customer, "link_clicked", clock.now(),
            {"url": hit.url, "delivery_id": delivery.id, "playbook": delivery.playbook_id, "step": delivery.step_id},
            source="system")


def _clicked_since(session: Session, link_id: int, since: datetime) -> bool:
    return session.scalar(select(LinkClick.id).where(
        LinkClick.link_id == link_id, LinkClick.counted.is_(True), LinkClick.created_at > since).limit(1)) is not None
