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
    """Remember that Slack no longer lets us act for this workspace (reminders stop until it is used again)."""
    _ACTIVE.discard(team_id)
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=team_id, settings={})
            session.add(row)
        settings = dict(row.settings or {})
        settings["uninstalled"] = {"reason": reason, "at": runtime.clock().isoformat()}
        row.settings = settings


_ACTIVE: set[str] = set()  # workspaces this process has seen in use since it started


def note_in_use(runtime: Runtime, team_id: str) -> None:
    """A request from ``team_id`` proves the app is installed there: clear an uninstall mark.

    Checked once per workspace per process, so it costs one query at most per process.
    """
    if not team_id or team_id in _ACTIVE:
        return
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is not None and (row.settings or {}).get("uninstalled"):
            settings = dict(row.settings)
            settings.pop("uninstalled", None)
            row.settings = settings
    _ACTIVE.add(team_id)
