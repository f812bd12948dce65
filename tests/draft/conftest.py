"""Draft tests run the real app with TRANSLATOR=libre against a fake LibreTranslate on loopback."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.app import build_runtime
from bot.settings import Settings
from bot.standin import SlackStandIn
from db.models import Client, TeamMember
from db.scoped import team_session
from handlers.clients.fields import name_key
from handlers.runtime import Runtime
from tests.conftest import SECRET, TOKEN, FakeClock
from tests.fakes.libretranslate import FakeLibreTranslate

TEAM = "T1"


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as fake:
        yield fake


@pytest.fixture
def settings(slack: SlackStandIn, db_url: str, libre: FakeLibreTranslate) -> Settings:
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": db_url,
            "DISPATCH_INTERVAL": "1",
            "TRANSLATOR": "libre",
            "LIBRETRANSLATE_URL": libre.url,
        }
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: FakeClock) -> Runtime:
    built = build_runtime(settings, clock=clock, engine=engine)
    return dataclasses.replace(built, translator=dataclasses.replace(built.translator, timeout=2.0))


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
