"""Workspace records: created on first use, flagged when the app is uninstalled or its tokens revoked."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Workspace
from db.scoped import team_session
from handlers.runtime import Runtime


def workspace(runtime: Runtime, team_id: str) -> Workspace:
    """The workspace row for ``team_id``, created on first use (detached copy)."""
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=team_id, settings={})
            session.add(row)
            session.flush()
        return row


def mark_uninstalled(runtime: Runtime, team_id: str, reason: str) -> None:
    """Remember that Slack no longer lets us act for this workspace (reminders stop)."""
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=team_id, settings={})
            session.add(row)
        settings = dict(row.settings or {})
        settings["uninstalled"] = {"reason": reason, "at": runtime.clock().isoformat()}
        row.settings = settings
