"""Workspace records: created on first use, flagged when the app is uninstalled or its tokens revoked."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select, update

from db.models import Workspace
from db.models.followups import ACTIVE, FollowUp
from db.scoped import team_session
from handlers.common.runtime import Runtime

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.2  # commands' "in use" notes are checked together, at most this much later


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
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=team_id, settings={})
            session.add(row)
        settings = dict(row.settings or {})
        settings["uninstalled"] = {"reason": reason, "at": runtime.clock().isoformat()}
        row.settings = settings


def note_in_use(runtime: Runtime, team_id: str) -> None:
    """A request from ``team_id`` proves the app is installed there: clear an uninstall mark, and
    let the reminders held back meanwhile go out at the next dispatcher tick.

    Read from the database on every command, not cached per process: the uninstall event may have
    reached another process. The read is one Core statement on the workspace's own row (explicitly
    filtered by ``team_id``), a fifth of an ORM session's cost; the ORM session only opens when
    there is a mark to clear.
    """
    if not team_id:
        return
    engine = runtime.sessions.kw["bind"]
    table = Workspace.__table__
    with engine.connect() as connection:
        settings = connection.execute(select(table.c.settings).where(table.c.team_id == team_id)).scalar_one_or_none()
    if not (settings or {}).get("uninstalled"):
        return
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None or not (row.settings or {}).get("uninstalled"):
            return
        settings = dict(row.settings)
        settings.pop("uninstalled", None)
        row.settings = settings
        # The dispatcher holds an uninstalled workspace's due reminders unclaimed for hours
        # (claimed_until in the future, claimed_by empty); release them.
        session.execute(
            update(FollowUp)
            .where(
                FollowUp.team_id == team_id,
                FollowUp.status.in_(ACTIVE),
                FollowUp.claimed_by.is_(None),
                FollowUp.claimed_until > runtime.clock(),
            )
            .values(claimed_until=None)
            .execution_options(synchronize_session=False)
        )


class _InUse:
    """Checks the workspaces that sent commands, a moment after they did, a workspace once a batch.

    Every command leads to a check of its workspace that starts after the command arrived (so
    an uninstall mark written before it, by any process, is seen and cleared), but a burst of
    commands from one team costs one read, not one per command, and none before the answer.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._thread: threading.Thread | None = None

    def note(self, team_id: str) -> None:
        if not team_id:
            return
        with self._cond:
            self._pending.add(team_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="workspaces-in-use", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
            time.sleep(BATCH_SECONDS)  # let the rest of a burst join this batch
            with self._cond:
                teams, self._pending = self._pending, set()
            for team_id in sorted(teams):
                try:
                    note_in_use(self._runtime, team_id)
                except Exception:
                    logger.exception("could not record that workspace %s is in use", team_id)


def note_in_use_soon(runtime: Runtime, team_id: str) -> None:
    """:func:`note_in_use` for a command's workspace, batched and off the request's path."""
    found = runtime.extras.get("in_use")
    if not isinstance(found, _InUse):
        found = runtime.extras.setdefault("in_use", _InUse(runtime))
        assert isinstance(found, _InUse)  # only this function stores "in_use"
    found.note(team_id)
