"""Events API deliveries: Slack retries when we are slow; each delivery is handled once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError

from db.models import SeenEvent
from db.scoped import all_teams_session, team_session
from handlers.common.runtime import Runtime


def first_time(runtime: Runtime, team_id: str, key: str) -> bool:
    """Record ``key`` for this workspace; True only the first time it is seen (any process)."""
    try:
        with team_session(runtime.sessions, team_id) as session:
            session.add(SeenEvent(team_id=team_id, event_key=key[:200], seen_at=runtime.clock()))
    except IntegrityError:
        return False
    return True


#: Keys kept only against redelivery (Slack retries within the hour): forgotten after two days.
#: Other keys (a flag's translation claim) are kept for good.
SHORT_LIVED = ("channel-message:", "channel-added:")
KEEP_SHORT_LIVED = dt.timedelta(days=2)
PRUNE_EVERY = dt.timedelta(hours=1)


def prune_seen_events(runtime: Runtime, web: object = None) -> int:
    """The dispatcher's hourly chore: forget short-lived keys older than two days (every workspace).
    Returns how many rows went."""
    now = runtime.clock()
    last = runtime.extras.get("seen_events_pruned_at")
    if isinstance(last, dt.datetime) and now - last < PRUNE_EVERY:
        return 0
    runtime.extras["seen_events_pruned_at"] = now
    statement = delete(SeenEvent).where(
        SeenEvent.seen_at < now - KEEP_SHORT_LIVED,
        or_(*(SeenEvent.event_key.startswith(prefix) for prefix in SHORT_LIVED)),
    )
    with all_teams_session(runtime.sessions) as session:
        result = session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
