"""Requests from clients in Slack Connect channels, and the reply clock that runs on them.

A top-level message from a member of the client's organisation in a channel linked to the client
(``channel_client.shared``) opens a request; the first reply by a team member in its thread (or a
✅ reaction by one) answers it. Only message ids and timestamps are kept, never message texts:
an escalation reads the text from Slack when it is raised.

Life of a row (``status``): ``open`` → ``answered`` (a team member replied or reacted ✅), or
``closed`` (its channel was unlinked from the client: the clock stops). ``warned_at`` and
``escalated_at`` are set once each, by whichever worker claims them first. ``request_message``
holds every message of a request (the first and those that joined it), so a reply in the thread
of any of them answers it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow

OPEN = "open"
ANSWERED = "answered"
CLOSED = "closed"
STATUSES = (OPEN, ANSWERED, CLOSED)


class ClientRequest(TeamOwned, Base):
    """One request from someone at the client, its clock in the client's business hours, and its answer."""

    __tablename__ = "client_request"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "message_ts"),
        Index("ix_client_request_status_due_at", "status", "due_at"),
        Index("ix_client_request_status_warn_at", "status", "warn_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))  # the request's first message (the thread root)
    author_id: Mapped[str] = mapped_column(String(32))  # the person at the client who asked
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_message_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # their messages within 2 min join
    messages: Mapped[int] = mapped_column(Integer, default=1)
    reply_minutes: Mapped[int] = mapped_column(Integer)  # the target, in the client's business minutes
    warn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # 75% of the target
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # 100%: escalated if still open
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    assignee_id: Mapped[str | None] = mapped_column(String(32))  # 👀 by a team member
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(32))
    answered_how: Mapped[str | None] = mapped_column(String(16))  # thread | reaction | unlinked
    business_minutes: Mapped[int | None] = mapped_column(Integer)  # to the answer, in their business hours
    warned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalation_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestMessage(TeamOwned, Base):
    """One message of a request: its first, or one that joined it (same person within 2 minutes)."""

    __tablename__ = "request_message"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("client_request.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
