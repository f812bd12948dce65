"""Workspaces, their members, and the Events API receipts used to drop retries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow


class Workspace(TeamOwned, Base):
    """A Slack workspace that uses Rapport; ``settings`` holds its preferences."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    escalation_channel: Mapped[str | None] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(TeamOwned, Base):
    """A person on the team: their Slack time zone (cached) and working hours."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    real_name: Mapped[str | None] = mapped_column(String(200))
    profile_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    work_start: Mapped[int | None] = mapped_column(Integer)  # minutes after local midnight
    work_end: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeenEvent(TeamOwned, Base):
    """An Events API delivery already handled (Slack retries on slow acks)."""

    __tablename__ = "seen_event"
    __table_args__ = (UniqueConstraint("team_id", "event_key"), Index("ix_seen_event_seen_at", "seen_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
