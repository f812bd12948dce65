"""Follow-up reminders: what to follow up on, with whom, when — and where delivery stands.

The table is the source of truth for reminders; the dispatcher only ticks and claims due rows
(``claimed_until``/``claimed_by`` form a lease, so several workers share the load and a crashed
one's rows come back when its lease expires).

Life of a row (``status``):

``scheduled``  waiting for ``due_at`` (its first delivery, a snoozed re-delivery, or the next
               occurrence of a recurring one)
``sent``       the message is out and nobody has pressed Done yet ("awaiting Done"); a
               recurring one also keeps ``due_at`` = its next occurrence
``done``       closed by Done (a recurring one goes back to ``scheduled`` instead)
``cancelled``  stopped by ``/followup cancel``
``failed``     Slack refused it for good (``last_error`` says why)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow

SCHEDULED = "scheduled"
SENT = "sent"
DONE = "done"
CANCELLED = "cancelled"
FAILED = "failed"
STATUSES = (SCHEDULED, SENT, DONE, CANCELLED, FAILED)
#: Statuses in which a row may still be delivered (``due_at``) or nagged (``nag_due_at``).
ACTIVE = (SCHEDULED, SENT)
_ACTIVE_DUE = "status IN ('scheduled', 'sent') AND due_at IS NOT NULL"


class FollowUp(TeamOwned, Base):
    """A reminder to ``owner_id`` to follow up with a client, fired at a moment good for both."""

    __tablename__ = "followup"
    __table_args__ = (
        UniqueConstraint("team_id", "short_id"),
        Index("ix_followup_status_due_at", "status", "due_at"),
        Index("ix_followup_status_nag_due_at", "status", "nag_due_at"),
        # The dispatcher's claim: due active rows in due order, read from the index and stopped
        # after a batch however large the backlog (migration 0006).
        Index(
            "ix_followup_active_due_at",
            "due_at",
            postgresql_where=text(_ACTIVE_DUE),
            sqlite_where=text(_ACTIVE_DUE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The number people type (``/followup done 12``): 1, 2, 3… per workspace, never reused.
    short_id: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"), index=True)
    client_name: Mapped[str] = mapped_column(String(200))  # kept when the client is removed
    owner_id: Mapped[str] = mapped_column(String(32), index=True)  # who gets the DM
    created_by: Mapped[str | None] = mapped_column(String(32))
    what: Mapped[str] = mapped_column(Text)  # as typed, Slack markup intact
    when_text: Mapped[str] = mapped_column(String(200))  # as typed

    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # next delivery; None when none
    requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # asked-for moment, before moving
    move_reason: Mapped[str | None] = mapped_column(Text)  # why due_at differs from requested_at

    # Recurrence: occurrence k is wished for at anchor + k × rule, on the client's wall clock,
    # then moved to a good moment — computed from the anchor every time, so it never drifts.
    recurrence: Mapped[str | None] = mapped_column(String(32))  # "week:2", "month:1", "workday:1"…
    anchor_local: Mapped[str | None] = mapped_column(String(16))  # "2026-12-01T10:00", client's wall clock
    anchor_zone: Mapped[str | None] = mapped_column(String(64))
    anchor_timed: Mapped[bool] = mapped_column(Boolean, default=True)  # False: no time given
    occurrence: Mapped[int] = mapped_column(Integer, default=0)  # index of the next occurrence
    snoozed: Mapped[bool] = mapped_column(Boolean, default=False)  # due_at is a snoozed re-delivery
    until_reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    # Delivery lease and retries.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    #: The claim before this one ended without an outcome (a crash): check Slack before posting.
    maybe_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: This claim's message may be on its way to Slack: set when it was claimed (or, when the
    #: dispatcher paces itself, just before its post leaves); a claim that ends without an outcome
    #: leaves ``maybe_sent`` to the next one only if this was set (migration 0011).
    on_wire: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    # The latest message (buttons update it) and the bookkeeping of nags and escalations.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    fired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # latest delivery
    nag_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    nagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(32))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def awaiting_done(self) -> bool:
        """A message went out and nobody pressed Done yet (what escalation looks for)."""
        return self.status == SENT
