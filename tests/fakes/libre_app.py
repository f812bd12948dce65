"""Fixtures for tests that run the real app with TRANSLATOR=libre against the fake LibreTranslate.

A conftest imports them: ``from tests.fakes.libre_app import libre, runtime, settings``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.app import build_runtime
from bot.settings import Settings
from bot.standin import SlackStandIn
from handlers.common.runtime import Runtime
from tests.conftest import SECRET, TOKEN, FakeClock
from tests.support.libretranslate import FakeLibreTranslate

TIMEOUT = 2.0  # TRANSLATOR_TIMEOUT in these tests (production default: 8 s)


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
            "TRANSLATOR_TIMEOUT": str(TIMEOUT),
        }
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: FakeClock) -> Runtime:
    return build_runtime(settings, clock=clock, engine=engine)
