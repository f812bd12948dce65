"""The client directory: who the team serves, where, and how they like to be reached."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # Loaded with the client (one extra query per batch of clients) so that its clock and
    # calendar can be built anywhere, even after the session has closed.
    closures: Mapped[list[ClientClosure]] = relationship(
        lazy="selectin",
        order_by="ClientClosure.first_day",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ClientClosure(TeamOwned, Base):
    """A span of days a client is closed (`/client edit acme closed:2026-12-23..2027-01-06 plant shutdown`).

    Verdicts, follow-up placement, care greetings and reply clocks skip these days as they skip
    the client's public holidays.
    """

    __tablename__ = "client_closure"
    __table_args__ = (UniqueConstraint("team_id", "client_id", "first_day", "last_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)  # inclusive
    label: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
