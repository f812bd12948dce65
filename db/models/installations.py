"""Slack installations (OAuth): one row per workspace (or Enterprise Grid organisation) that installed
Rapport, with its bot token encrypted at rest, and the short-lived OAuth states of installs in progress.

These are the two tables that are not :class:`~db.base.TeamOwned`: an installation is looked up by
the workspace a request comes from *before* any workspace-scoped session exists, and a state row is
written before Slack has said which workspace it is for. ``team_id`` is still on every installation
(empty for an organisation-wide Grid install, whose ``enterprise_id`` identifies it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow


class SlackInstallation(Base):
    """A workspace's (or Grid organisation's) installation: its bot and, encrypted, its tokens."""

    __tablename__ = "slack_installation"
    __table_args__ = (UniqueConstraint("enterprise_id", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(32), default="")  # "" outside Enterprise Grid
    team_id: Mapped[str] = mapped_column(String(32), default="", index=True)  # "" for an org-wide install
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    app_id: Mapped[str | None] = mapped_column(String(32))
    team_name: Mapped[str | None] = mapped_column(String(200))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    bot_scopes: Mapped[str | None] = mapped_column(Text)
    bot_token: Mapped[str] = mapped_column(Text)  # Fernet ciphertext, never the token itself
    bot_refresh_token: Mapped[str | None] = mapped_column(Text)  # Fernet ciphertext (token rotation)
    bot_token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    installer_user_id: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """A state handed to Slack at /slack/install and checked (once) at /slack/oauth_redirect."""

    __tablename__ = "oauth_state"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
