"""Redelivery keys of channel messages are forgotten after two days; other keys are kept."""

from __future__ import annotations

from sqlalchemy import select

from db.models import SeenEvent
from db.scoped import all_teams_session
from handlers import periodic_tasks
from handlers.common.events import first_time, prune_seen_events


def keys(runtime) -> set[str]:
    with all_teams_session(runtime.sessions) as session:
        return set(session.scalars(select(SeenEvent.event_key)))


def test_short_lived_keys_go_after_two_days_and_claims_stay(runtime, clock):
    assert prune_seen_events in periodic_tasks()
    first_time(runtime, "T1", "channel-message:C1:1.000001")
    first_time(runtime, "T2", "channel-added:Ev1")
    first_time(runtime, "T1", "translate:C1:1.000001:ja")
    clock.advance(days=1)
    first_time(runtime, "T1", "channel-message:C1:2.000001")
    assert prune_seen_events(runtime) == 0
    clock.advance(days=1, minutes=1)
    assert prune_seen_events(runtime) == 2
    assert keys(runtime) == {"translate:C1:1.000001:ja", "channel-message:C1:2.000001"}
    assert first_time(runtime, "T1", "channel-message:C1:2.000001") is False
    clock.advance(minutes=10)
    assert prune_seen_events(runtime) == 0  # at most hourly
