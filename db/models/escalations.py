"""Escalations: a client issue raised to the team's escalation channel, and its life until resolved.

Every step is kept for reports: who raised it and how (command, form, reminder button, or
automatically for an overdue follow-up), where and when it was posted, who acknowledged and
resolved it, the resolution note, re-pings, and the last error when Slack refused the post.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow

# status: pending (not posted yet: no channel, or Slack refused) -> open -> acknowledged -> resolved
PENDING = "pending"
OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
STATUSES = (PENDING, OPEN, ACKNOWLEDGED, RESOLVED)
UNRESOLVED = (PENDING, OPEN, ACKNOWLEDGED)

SEVERITIES = ("low", "normal", "urgent")

# how it was raised
FROM_COMMAND = "command"
FROM_FORM = "form"
FROM_REMINDER = "reminder"
AUTOMATIC = "auto"


class Escalation(TeamOwned, Base):
    """One escalation of a client issue; ``status`` says where it stands."""

    __tablename__ = "escalation"
    __table_args__ = (
        Index("ix_escalation_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_escalation_followup_id", "followup_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The client may be removed later; the name stays for reports.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"))
    client_name: Mapped[str] = mapped_column(String(200))
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("followup.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))  # command | form | reminder | auto
    created_by: Mapped[str | None] = mapped_column(String(32))  # None: raised by Rapport itself
    owner_id: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8), default="normal")
    summary: Mapped[str] = mapped_column(Text)
    origin_channel: Mapped[str | None] = mapped_column(String(32))
    origin_ts: Mapped[str | None] = mapped_column(String(32))
    origin_permalink: Mapped[str | None] = mapped_column(String(500))

    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    channel: Mapped[str | None] = mapped_column(String(32))  # where it was posted (or last tried)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    message_permalink: Mapped[str | None] = mapped_column(String(500))
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Posting retries: several dispatcher processes share the work through this lease.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Whether the person who raised it has been told it finally went out.
    creator_told_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    repings: Mapped[int] = mapped_column(Integer, default=0)
    last_pinged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
