"""Translations: the provider answers we keep, the team glossary, and which client a channel serves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, TeamOwned, UTCDateTime, utcnow


class TranslationCache(TeamOwned, Base):
    """A provider's answer for one text, so the same request never calls the provider twice.

    ``text_hash`` is the SHA-256 of the text as sent (Slack markup and glossary terms already
    replaced by placeholders); ``translated`` is the answer with the placeholders still in it.
    ``source`` is the language code we sent, or ``auto`` when the provider detected it.
    """

    __tablename__ = "translation_cache"
    __table_args__ = (UniqueConstraint("team_id", "provider", "source", "target", "text_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(35))
    target: Mapped[str] = mapped_column(String(35))
    text_hash: Mapped[str] = mapped_column(String(64))
    translated: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryTerm(TeamOwned, Base):
    """A name the team never wants translated (product names, company names, people)."""

    __tablename__ = "glossary_term"
    __table_args__ = (UniqueConstraint("team_id", "term_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(100))
    term_key: Mapped[str] = mapped_column(String(100))  # casefolded, unique per workspace
    added_by: Mapped[str | None] = mapped_column(String(32))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelClient(TeamOwned, Base):
    """The client a Slack channel is about (``/translate link <client>``): its language is the default target."""

    __tablename__ = "channel_client"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    linked_by: Mapped[str | None] = mapped_column(String(32))
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A Slack Connect channel shared with the client (`/client edit … shared:#channel`): requests are
    # tracked and translated there. Without it the link only routes `/translate` (`/translate link`).
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
