"""Draft tests run the real app with TRANSLATOR=libre against a fake LibreTranslate on loopback."""

from __future__ import annotations

import datetime as dt

from db.models import Client, TeamMember
from db.scoped import team_session
from handlers.clients.fields import name_key
from handlers.common.runtime import Runtime
from tests.fakes.libre_app import TIMEOUT, libre, runtime, settings  # shared fixtures

TEAM = "T1"


def add_client(runtime: Runtime, name: str, country: str, tz: str, team: str = TEAM, **values: object) -> int:
    """Insert a client row (as `/client add` would) and return its id."""
    with team_session(runtime.sessions, team) as session:
        client = Client(name=name, name_key=name_key(name), country=country, tz=tz, **values)
        session.add(client)
        session.flush()
        return client.id


def set_member(runtime: Runtime, user_id: str, tz: str, name: str | None = None, team: str = TEAM) -> None:
    """A team member with a known zone, hours 09:00-18:00 and name (no users.info needed)."""
    with team_session(runtime.sessions, team) as session:
        session.add(
            TeamMember(
                user_id=user_id,
                tz=tz,
                real_name=name,
                work_start=9 * 60,
                work_end=18 * 60,
                profile_fetched_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
            )
        )
