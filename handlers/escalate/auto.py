"""Escalations that happen by themselves, on every dispatcher tick.

1. A follow-up whose reminder went out and is still not Done after the workspace's number of
   the *client's* business hours (default 24) escalates once, mentioning its owner. The hours
   are counted in the client's good windows from ``cultures.hours`` — their business hours on
   their working days — so a reminder sent on a Friday for a Saudi client does not escalate
   over their Friday–Saturday weekend.
2. Kept (pending) escalations are posted once their channel works.
3. Urgent escalations nobody acknowledged are re-pinged (at most twice).

Safe with several dispatcher processes: a follow-up is claimed with
``UPDATE followup SET escalated_at = now WHERE id = … AND escalated_at IS NULL`` and only the
process whose UPDATE changed the row records the escalation, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, cast

from slack_sdk import WebClient
from sqlalchemy import CursorResult, select, update

from db.models import Client, Workspace
from db.models.escalations import AUTOMATIC, PENDING, Escalation
from db.models.followups import SENT, FollowUp
from db.scoped import all_teams_session, team_session
from handlers.common.runtime import Runtime
from handlers.escalate import blocks, escalations
from handlers.escalate.settings import DEFAULT_AUTO_AFTER_HOURS, EscalationSettings, format_hours

logger = logging.getLogger(__name__)

BATCH = 500
MAX_WINDOWS = 400  # ~ a year of two windows a day: enough for any allowed number of hours


@dataclass(frozen=True)
class TickReport:
    """What one tick did, for logs and tests."""

    escalated: int = 0
    posted: int = 0
    repinged: int = 0


def escalation_tick(runtime: Runtime, client: WebClient) -> TickReport:
    """The dispatcher's periodic task for escalations (see the module docstring)."""
    escalated = escalate_overdue_followups(runtime, client)
    posted = sum(1 for outcome in escalations.post_pending(runtime, client) if outcome.ok)
    repinged = escalations.reping_unacknowledged(runtime, client)
    if escalated or posted or repinged:
        logger.info("escalations: %s overdue follow-ups, %s kept posted, %s re-pinged", escalated, posted, repinged)
    return TickReport(escalated, posted, repinged)


# --- counting business hours -------------------------------------------------------------------


def business_deadline(start: dt.datetime, hours: float, client_hours: object | None) -> dt.datetime:
    """The instant when ``hours`` of the client's business hours have passed since ``start``
    (``cultures.hours.business_deadline``); without usable hours, plain hours count."""
    from cultures.hours import ClientHours
    from cultures.hours import business_deadline as deadline

    if not isinstance(client_hours, ClientHours):
        return start + dt.timedelta(hours=hours)
    return deadline(start, dt.timedelta(hours=hours), client_hours)


def _utc(instant: dt.datetime) -> dt.datetime:
    return dt.datetime.fromtimestamp(instant.timestamp(), dt.UTC)


class _Deadlines:
    """Deadlines already computed in this process, keyed by everything they depend on."""

    def __init__(self, size: int = 50_000) -> None:
        self._items: OrderedDict[tuple[object, ...], dt.datetime] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, followup: FollowUp, client: Client | None, hours: float) -> dt.datetime:
        assert followup.fired_at is not None
        key = (
            followup.id,
            followup.fired_at,
            hours,
            None
            if client is None
            else (
                client.id,
                client.tz,
                client.country,
                client.subdivision,
                client.hours,
                tuple((row.first_day, row.last_day) for row in client.closures),
            ),
        )
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        deadline = business_deadline(followup.fired_at, hours, _client_hours(client))
        with self._lock:
            self._items[key] = deadline
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return deadline


_deadlines = _Deadlines()


def _client_hours(client: Client | None) -> object | None:
    if client is None:
        return None
    from handlers.clients.directory import client_hours

    try:
        return client_hours(client)
    except Exception:
        logger.exception("no business hours for client %s; counting plain hours", client.id)
        return None


# --- overdue follow-ups ------------------------------------------------------------------------


def escalate_overdue_followups(runtime: Runtime, client: WebClient) -> int:
    """Escalate every follow-up still awaiting Done past its business-hours deadline; returns how many."""
    now = runtime.clock()
    with all_teams_session(runtime.sessions) as session:
        workspaces = {
            team: settings or {} for team, settings in session.execute(select(Workspace.team_id, Workspace.settings))
        }
    policies = {team: EscalationSettings.from_workspace(settings) for team, settings in workspaces.items()}
    thresholds = [p.auto_after_hours for p in policies.values() if p.auto_after_hours is not None]
    # Business time never runs faster than the clock: nothing fired later than this can be due.
    earliest = min([*thresholds, DEFAULT_AUTO_AFTER_HOURS])
    latest_fired = now - dt.timedelta(hours=earliest)
    escalated = 0
    after_id = 0
    while True:
        with all_teams_session(runtime.sessions) as session:
            rows = session.execute(
                select(FollowUp, Client)
                .outerjoin(Client, Client.id == FollowUp.client_id)
                .where(
                    FollowUp.status == SENT,
                    FollowUp.escalated_at.is_(None),
                    FollowUp.fired_at.is_not(None),
                    FollowUp.fired_at <= latest_fired,
                    FollowUp.id > after_id,
                )
                .order_by(FollowUp.id)
                .limit(BATCH)
            ).all()
        if not rows:
            break
        after_id = rows[-1][0].id
        for followup, followup_client in rows:
            if workspaces.get(followup.team_id, {}).get("uninstalled"):
                continue
            hours = policies.get(followup.team_id, EscalationSettings()).auto_after_hours
            if hours is None:
                continue
            if now < _deadlines.get(followup, followup_client, hours):
                continue
            if _escalate_followup(runtime, client, followup, followup_client, hours):
                escalated += 1
        if len(rows) < BATCH:
            break
    return escalated


def _escalate_followup(
    runtime: Runtime, web: WebClient, followup: FollowUp, client: Client | None, hours: float
) -> bool:
    """Claim the follow-up and record its escalation in one transaction, then post it."""
    now = runtime.clock()
    token = uuid.uuid4().hex
    name = client.name if client is not None else followup.client_name
    with team_session(runtime.sessions, followup.team_id) as session:
        claimed = cast(
            CursorResult[Any],
            session.execute(
                update(FollowUp)
                .where(FollowUp.id == followup.id, FollowUp.escalated_at.is_(None), FollowUp.status == SENT)
                .values(escalated_at=now)
                .execution_options(synchronize_session=False)
            ),
        )
        if claimed.rowcount != 1:
            return False  # another process escalated it, or it was just marked Done
        escalation = Escalation(
            team_id=followup.team_id,
            client_id=client.id if client is not None else None,
            client_name=name,
            followup_id=followup.id,
            source=AUTOMATIC,
            created_by=None,
            owner_id=followup.owner_id,
            severity="normal",
            summary=blocks.automatic_summary(followup.what, format_hours(hours), name),
            origin_channel=followup.channel_id,
            origin_ts=followup.message_ts,
            status=PENDING,
            attempts=0,
            repings=0,
            lease_until=now + escalations.LEASE,
            lease_owner=token,
            created_at=now,
        )
        session.add(escalation)
        session.flush()
        escalation_id = escalation.id
    logger.info("follow-up %s overdue: escalation %s", followup.id, escalation_id)
    outcome = escalations.post(runtime, web, followup.team_id, escalation_id, token)
    if not outcome.ok:
        escalations.tell_owner_not_posted(web, followup.owner_id, f"`#{followup.short_id}`", outcome)
    return True
