"""Events API deliveries: Slack retries when we are slow; each delivery is handled once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from db.models import SeenEvent
from db.scoped import team_session
from handlers.common.runtime import Runtime


def first_time(runtime: Runtime, team_id: str, key: str) -> bool:
    """Record ``key`` for this workspace; True only the first time it is seen (any process)."""
    try:
        with team_session(runtime.sessions, team_id) as session:
            session.add(SeenEvent(team_id=team_id, event_key=key[:200], seen_at=runtime.clock()))
    except IntegrityError:
        return False
    return True
