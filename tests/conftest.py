"""The test rig: a fake Slack on loopback, a real SQLite file, PostgreSQL when present,
the app served over real HTTP, signed requests, and a clock the test moves by hand."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.app import build_runtime, create_app
from bot.server import serve, wsgi_app
from bot.settings import Settings
from bot.slack import build_client
from bot.standin import SlackStandIn
from db.migrate import upgrade
from db.session import make_engine
from handlers.common.runtime import Runtime
from tests.support.postgres import postgres_url_for_tests
from tests.support.slack_requests import SlackSender

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
# The fake Slack answers at once and enforces no limits unless a test asks it to; pacing our calls
# under Slack's limits is tested where it is switched on (tests/bot/test_pacing*.py), and stays off
# elsewhere (here and in the processes tests start) so that tests post as fast as the fake answers.
os.environ.setdefault("RAPPORT_PACING", "off")


class FakeClock:
    """A clock the test sets and advances; timezone-aware UTC."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: dt.datetime) -> None:
        self.now = when.astimezone(dt.UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2026-11-23 10:00 UTC unless the test sets it."""
    return FakeClock(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """A fake Slack Web API on loopback that records every call."""
    standin = SlackStandIn(team_id="T1").start()
    standin.add_user("U1", tz="Europe/London", name="Ada")
    standin.add_user("U2", tz="America/New_York", name="Grace")
    yield standin
    standin.stop()


@pytest.fixture
def db_url(tmp_path) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'rapport.db'}"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session: each test's database starts as a copy of it
    (the same schema the migrations build, in a millisecond instead of a migration run)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    template = make_engine(f"sqlite:///{path}")
    upgrade(template)
    with template.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    template.dispose()
    return path


@pytest.fixture
def engine(db_url: str, request) -> Iterator[Engine]:
    fresh_file = db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists()
    if fresh_file:
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), db_url.removeprefix("sqlite:///"))
    engine = make_engine(db_url)
    if not fresh_file:
        upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(slack: SlackStandIn, db_url: str) -> Settings:
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": db_url,
            "DISPATCH_INTERVAL": "1",
            "RAPPORT_PACING": "off",
        }
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: FakeClock) -> Runtime:
    return build_runtime(settings, clock=clock, engine=engine)


@dataclass
class RunningApp:
    """The app served over HTTP on loopback, with what a test needs to talk to it."""

    url: str
    send: SlackSender
    slack: SlackStandIn
    runtime: Runtime
    settings: Settings
    clock: FakeClock

    @property
    def client(self):
        return build_client(self.settings)


@pytest.fixture
def rapport(
    settings: Settings, runtime: Runtime, slack: SlackStandIn, engine: Engine, clock: FakeClock
) -> Iterator[RunningApp]:
    """The real Bolt app behind the real WSGI server; ``rapport.send`` posts signed requests."""
    app = create_app(settings, runtime, build_client(settings))
    server = serve(wsgi_app(app, engine), 0, host="127.0.0.1")
    url = f"http://127.0.0.1:{server.server_port}"
    sender = SlackSender(
        f"{url}/slack/events", SECRET, team_id="T1", response_url_base=slack.base, on_ack=slack.show_ack
    )
    yield RunningApp(url, sender, slack, runtime, settings, clock)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A PostgreSQL server URL (TEST_DATABASE_URL, or a cluster started for this session)."""
    with postgres_url_for_tests() as url:
        if url is None:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is required in CI (TEST_DATABASE_URL or a local PostgreSQL install)")
            pytest.skip("PostgreSQL not available: set TEST_DATABASE_URL or install postgresql")
        yield url


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    from tests.support.postgres import fresh_database

    with fresh_database(pg_server_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
