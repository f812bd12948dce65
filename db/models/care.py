"""Relationship care: the heads-ups sent before a client's holiday or birthday.

One row per client, occasion and year, guarded by a unique constraint: whichever dispatcher
process inserts the row first owns the heads-up, so several workers never send it twice.
The row is inserted *before* the message goes out (``status = sending`` with a lease); a process
that dies in between leaves a row whose lease expires, and the next tick takes it over.

``status``: ``sending`` (claimed; ``lease_until`` says until when) → ``sent``, or ``failed``
after repeated refusals by Slack (``last_error`` says why).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow

SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUSES = (SENDING, SENT, FAILED)


class CareNote(TeamOwned, Base):
    """A heads-up to a client's owner before an occasion (a public holiday or the contact's birthday)."""

    __tablename__ = "care_note"
    __table_args__ = (
        UniqueConstraint("team_id", "client_id", "occasion", "year"),
        Index("ix_care_note_status_lease_until", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    client_name: Mapped[str] = mapped_column(String(200))
    occasion: Mapped[str] = mapped_column(String(64))  # "holiday:christmas", "birthday"
    year: Mapped[int] = mapped_column(Integer)
    occasion_date: Mapped[dt.date] = mapped_column(Date)
    occasion_name: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str | None] = mapped_column(String(32))  # the owner's user id or a channel id

    status: Mapped[str] = mapped_column(String(16), default=SENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
