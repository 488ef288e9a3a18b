"""Playbooks in the database: versions, enrolments, the delivery outbox, tracked links, cron fires."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base


class PlaybookRecord(Base):
    """One playbook by its slug; `current_version` is the version new enrolments start with."""

    __tablename__ = "playbooks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    current_version: Mapped[int] = mapped_column(default=0)
    source_path: Mapped[str] = mapped_column(String(255), default="")
    # The last import problem of its file (the last good version stays current); "" when fine.
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PlaybookVersion(Base):
    """The exact TOML text of one version; enrolments keep the version they started with."""

    __tablename__ = "playbook_versions"
    __table_args__ = (UniqueConstraint("playbook_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[str] = mapped_column(ForeignKey("playbooks.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Enrolment(Base):
    """A customer on a journey: active, then completed, converted (goal) or exited."""

    __tablename__ = "enrolments"
    __table_args__ = (
        Index("ix_enrolments_customer_playbook_status", "customer_id", "playbook_id", "status"),
        # A customer's active enrolments, on every message: without it SQLite (before ANALYZE)
        # walks the status index, every active enrolment of every customer.
        Index("ix_enrolments_customer_status", "customer_id", "status"),
        Index("ix_enrolments_status_settle", "status", "settle_after"),
        Index("ix_enrolments_playbook_status", "playbook_id", "status"),  # live counts per playbook
        Index("ix_enrolments_enrolled_at", "enrolled_at"),  # 剧本效果 rollups: every playbook, by day of entry
        Index("ix_enrolments_playbook_enrolled", "playbook_id", "enrolled_at"),  # ... and one playbook
        Index("ix_enrolments_updated_at", "updated_at"),  # the rollups find the days that changed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    playbook_id: Mapped[str] = mapped_column(ForeignKey("playbooks.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("playbook_versions.id", ondelete="CASCADE"))
    # active | completed | converted | exited
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    trigger_type: Mapped[str] = mapped_column(String(64))
    trigger_at: Mapped[datetime]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # A snapshot of the triggering event ({"type", "data"}), rendered into every step's text.
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    variants: Mapped[dict[str, Any]] = mapped_column(default=dict)  # step id -> A/B arm ("holdout")
    enrolled_at: Mapped[datetime]
    # When the finishing scan next looks at it: not before its last step is due (nor before its
    # goal window closes), so that scan reads only enrolments that may be done, at any size.
    settle_after: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    # Any change (status, pause): the 剧本效果 rollups recompute the day the enrolment entered.
    updated_at: Mapped[datetime | None]

    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="enrolment", lazy="raise_on_sql")


class Delivery(Base):
    """The outbox: one step for one enrolment, sent once; `idempotency_key` is (enrolment, step, occurrence)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_due", "status", "due_at"),
        Index("ix_deliveries_customer_sent", "customer_id", "sent_at"),
        Index("ix_deliveries_status_sent", "status", "sent_at"),  # daily figures walk sends by day
        Index("ix_deliveries_playbook_step_status", "playbook_id", "step_id", "status"),  # live counts, funnels
        Index("ix_deliveries_enrolment_status", "enrolment_id", "status"),
        Index("ix_deliveries_updated_at", "updated_at"),  # the rollups find the days that changed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    playbook_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str] = mapped_column(String(190), unique=True)
    due_at: Mapped[datetime]
    # scheduled | claimed | sent | failed | skipped | cancelled | unknown (no answer in time, not resent)
    # | awaiting (a mass task the guide has yet to confirm)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    attempts: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str | None] = mapped_column(String(16))
    # An attempt on this channel got no answer in time: the next try goes through it alone.
    pinned_channel: Mapped[str | None] = mapped_column(String(16))
    # This channel said "sent" and WeChat reported the failure later: the retry starts after it.
    fallback_from: Mapped[str | None] = mapped_column(String(16))
    variant: Mapped[str | None] = mapped_column(String(64))
    expects_reply: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str] = mapped_column(Text, default="")
    errcode: Mapped[int | None]
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    # Indexed so that deleting old messages (retention) finds the rows to unlink without a scan.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    replied_at: Mapped[datetime | None]
    reply_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"),
                                                         index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    enrolment: Mapped[Enrolment] = relationship(back_populates="deliveries", lazy="raise_on_sql")


class TrackedLink(Base):
    """A `/r/<token>` address standing for `url` in one delivery's text."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class LinkClick(Base):
    __tablename__ = "link_clicks"
    __table_args__ = (Index("ix_link_clicks_created_at", "created_at"),)  # the rollups find recent clicks

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    # False for a link preview, a crawler, a HEAD or a repeat within seconds: not the customer's click.
    counted: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class CronFire(Base):
    """One fire of a cron job; the unique (job, fire_time) makes it run once across workers.

    A fire done in one transaction is finished when its row is written. A long scan goes chunk
    by chunk: `cursor` is the last customer id done, `lease_until` how long `worker` holds it
    (another worker takes over after that), `finished_at` set once the last chunk is done.
    """

    __tablename__ = "cron_fires"
    __table_args__ = (UniqueConstraint("job", "fire_time"), Index("ix_cron_fires_fire_time", "fire_time"))

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(128))
    fire_time: Mapped[datetime]
    worker: Mapped[str] = mapped_column(String(64), default="")
    cursor: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
