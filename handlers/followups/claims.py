"""Claim and lease: which due reminders this worker takes, in one statement, for a while.

A claim is a lease: ``claimed_by`` = this worker, ``claimed_until`` = now + ``LEASE``, renewed
while the batch is still being sent (``renew``). ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED LIMIT n) RETURNING …`` on PostgreSQL, so several workers never take the same row; on SQLite
the same single statement is atomic (one dispatcher is expected). A row whose previous claim
ended without an outcome, its message perhaps on the wire (``on_wire``), comes back flagged
``maybe_sent`` (see ``handlers.followups.posting``).

``on_wire`` is set for the whole batch by the claim itself, unless the dispatcher marks each row
just before its post leaves (``mark``: a paced dispatcher, whose batch waits for Slack's limits —
a crash then leaves in doubt only what had really left, not the whole batch).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import BindParameter, Select, and_, bindparam, func, or_, select, update

from db.models.followups import ACTIVE, SENT, FollowUp
from db.scoped import all_teams_session
from handlers.common.runtime import Runtime

LEASE = dt.timedelta(seconds=15)
_WORKER = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_id() -> str:
    """This process's name in ``claimed_by``."""
    return _WORKER


@dataclass(frozen=True)
class Job:
    """One claimed row, detached: what to post and to whom."""

    row: FollowUp
    kind: str  # "deliver" or "nag"

    @property
    def key(self) -> str:
        """Names this delivery in the message metadata (to find it again after a crash)."""
        row = self.row
        if self.kind == "nag":
            return f"{row.id}:nag:{int(row.fired_at.timestamp()) if row.fired_at else 0}"
        return f"{row.id}:{int(row.due_at.timestamp()) if row.due_at else 0}:{row.occurrence}"


def due_query(kind: str, now: dt.datetime) -> Select[int]:
    """Ids of due rows of ``kind`` whose lease is free, oldest first."""
    lease_free = or_(FollowUp.claimed_until.is_(None), FollowUp.claimed_until <= now)
    if kind == "deliver":
        # The statuses are written into the SQL, not bound: the partial index on active rows'
        # due_at (migration 0006) is then usable by a prepared statement's generic plan too.
        active: BindParameter[list[str]] = bindparam(
            "active_statuses", list(ACTIVE), expanding=True, literal_execute=True
        )
        return (
            select(FollowUp.id)
            .where(FollowUp.status.in_(active), FollowUp.due_at <= now, lease_free)
            .order_by(FollowUp.due_at)
        )
    return (
        select(FollowUp.id)
        .where(FollowUp.status == SENT, FollowUp.nag_due_at <= now, FollowUp.nagged_at.is_(None), lease_free)
        .order_by(FollowUp.nag_due_at)
    )


def claim(
    runtime: Runtime,
    kind: str,
    now: dt.datetime,
    limit: int,
    worker: str | None = None,
    *,
    on_wire: bool = True,
) -> list[FollowUp]:
    """Lease up to ``limit`` due rows to this worker in one transaction; returns them detached.

    ``kind`` is ``deliver`` (``due_at`` reached) or ``nag`` (``nag_due_at`` reached). A row
    whose previous claim ended without an outcome after its post may have left comes back with
    ``maybe_sent`` set. ``on_wire=False``: the caller marks each row with ``mark_on_wire`` just
    before posting it; until then a crash leaves the row free of doubt.

    Fair across workspaces: when several have due rows, each gets its share of the batch (oldest
    first within it), so one workspace's ten thousand due reminders do not hold back another's
    one. The rows come back interleaved — each workspace's and each owner's first reminder before
    anyone's second — so that posts to different channels go out side by side under Slack's
    per-channel pacing.
    """
    worker = worker or _WORKER
    due_column = FollowUp.due_at if kind == "deliver" else FollowUp.nag_due_at
    with all_teams_session(runtime.sessions) as session:
        teams = session.execute(
            due_query(kind, now)
            .order_by(None)
            .with_only_columns(FollowUp.team_id, func.min(due_column))
            .group_by(FollowUp.team_id)
            .order_by(func.min(due_column))
            .limit(limit)
        ).all()
        if len(teams) <= 1:
            due = due_query(kind, now).limit(limit).with_for_update(skip_locked=True).scalar_subquery()
        else:
            share = max(1, limit // len(teams))
            ids: list[int] = []
            for team_id, _oldest in teams:
                query = due_query(kind, now).where(FollowUp.team_id == team_id).limit(share)
                ids += session.scalars(query.with_for_update(skip_locked=True)).all()
            due = ids  # type: ignore[assignment]
        statement = (
            update(FollowUp)
            .where(FollowUp.id.in_(due))
            .values(
                # Every right-hand side reads the row as it was before this statement.
                maybe_sent=and_(FollowUp.claimed_by.is_not(None), or_(FollowUp.on_wire, FollowUp.maybe_sent)),
                on_wire=on_wire,
                claimed_by=worker,
                claimed_until=now + LEASE,
                attempts=FollowUp.attempts + 1,
            )
            .returning(FollowUp)
            .execution_options(synchronize_session=False)
        )
        rows = list(session.scalars(statement))
    return interleave(rows, lambda r: (r.due_at if kind == "deliver" else r.nag_due_at) or now)


def interleave(rows: list[FollowUp], due: Callable[[FollowUp], dt.datetime]) -> list[FollowUp]:
    """Rows ordered round by round: every (workspace, owner)'s oldest first, then their second…"""
    rows = sorted(rows, key=lambda r: (due(r), r.id))
    rank: Counter[tuple[str, str]] = Counter()
    ranked = []
    for row in rows:
        key = (row.team_id, row.owner_id)
        ranked.append((rank[key], due(row), row.id, row))
        rank[key] += 1
    return [item[-1] for item in sorted(ranked, key=lambda item: item[:3])]


def renew(runtime: Runtime, ids: Iterable[int], worker: str) -> None:
    """Extend the lease of rows this worker still holds (a batch being sent)."""
    ids = list(ids)
    if not ids:
        return
    with all_teams_session(runtime.sessions) as session:
        session.execute(
            update(FollowUp)
            .where(FollowUp.id.in_(ids), FollowUp.claimed_by == worker)
            .values(claimed_until=runtime.clock() + LEASE)
            .execution_options(synchronize_session=False)
        )


def mark_on_wire(runtime: Runtime, ids: Iterable[int], worker: str) -> set[int]:
    """Mark rows as on their way to Slack, just before their posts leave; returns the ids marked.

    Only rows this worker still holds are marked: one whose lease ran out and was taken by another
    worker, or that was changed meanwhile (done, cancelled, snoozed: those give the claim up), is
    left out and must not be posted.
    """
    ids = list(ids)
    if not ids:
        return set()
    with all_teams_session(runtime.sessions) as session:
        marked = session.scalars(
            update(FollowUp)
            .where(FollowUp.id.in_(ids), FollowUp.claimed_by == worker)
            .values(on_wire=True)
            .returning(FollowUp.id)
            .execution_options(synchronize_session=False)
        )
        return set(marked)
