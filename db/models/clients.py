"""The client directory: who the team serves, where, and how they like to be reached."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow


class Client(TeamOwned, Base):
    """A client of the team. Its own facts override the country's culture card."""

    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("team_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # casefolded name, unique per workspace
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    subdivision: Mapped[str | None] = mapped_column(String(16))  # holidays' subdivision code
    tz: Mapped[str] = mapped_column(String(64))  # IANA zone
    language: Mapped[str | None] = mapped_column(String(35))  # BCP 47 tag; None: the country's main language
    contact: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str | None] = mapped_column(String(100))  # e.g. "09:00-17:00" overriding the card
    birthday: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    escalation_channel: Mapped[str | None] = mapped_column(String(32))
    reply_minutes: Mapped[int | None] = mapped_column(Integer)  # first-reply target in shared channels; None: 4 h
    translate_mode: Mapped[str | None] = mapped_column(String(8))  # in | both | off; None: in
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
