"""Translation tests run the real app with TRANSLATOR=libre against a fake LibreTranslate on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.app import build_runtime
from bot.settings import Settings
from bot.standin import SlackStandIn
from db.models import Client
from db.scoped import team_session
from handlers.runtime import Runtime
from tests.conftest import SECRET, TOKEN, FakeClock
from tests.fakes.libretranslate import FakeLibreTranslate

TIMEOUT = 2.0  # TranslatorConfig.timeout in these tests (production: 8 s)


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
    return dataclasses.replace(built, translator=dataclasses.replace(built.translator, timeout=TIMEOUT))


def add_client(runtime: Runtime, name: str, country: str, tz: str, language: str | None = None) -> None:
    """A client row as the client directory stores it."""
    with team_session(runtime.sessions, "T1") as session:
        session.add(
            Client(name=name, name_key=name.casefold(), country=country, tz=tz, language=language, created_by="U1")
        )
