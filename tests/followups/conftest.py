"""Follow-up fixtures: clients inserted directly, a Web API client on the fake, and a dispatcher tick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.sender import AsyncPoster
from bot.slack import build_client
from db.models import Client, TeamMember
from db.models.followups import FollowUp
from db.scoped import all_teams_session, team_session
from handlers.clients.fields import name_key
from handlers.common.runtime import Runtime
from handlers.followups.delivery import DispatchReport, dispatch_due
from handlers.followups.posting import forget_dm_channels

TEAM = "T1"


@pytest.fixture(autouse=True)
def _fresh_dm_cache() -> Iterator[None]:
    forget_dm_channels()
    yield
    forget_dm_channels()


def add_client(runtime: Runtime, name: str, country: str, tz: str, hours: str | None = None, team: str = TEAM) -> int:
    """Insert a client row (as `/client add` would) and return its id."""
    with team_session(runtime.sessions, team) as session:
        client = Client(name=name, name_key=name_key(name), country=country, tz=tz, hours=hours)
        session.add(client)
        session.flush()
        return client.id


def set_member(
    runtime: Runtime, user_id: str, tz: str, start: str = "09:00", end: str = "18:00", team: str = TEAM
) -> None:
    """A team member with a known zone and hours (no users.info needed)."""
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    with team_session(runtime.sessions, team) as session:
        session.add(
            TeamMember(
                user_id=user_id,
                tz=tz,
                work_start=h1 * 60 + m1,
                work_end=h2 * 60 + m2,
                profile_fetched_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
            )
        )


def followups(runtime: Runtime) -> list[FollowUp]:
    with all_teams_session(runtime.sessions) as session:
        return list(session.scalars(select(FollowUp).order_by(FollowUp.id)))


def one(runtime: Runtime) -> FollowUp:
    [row] = followups(runtime)
    return row


@pytest.fixture
def web(settings) -> WebClient:
    """The app's Web API client (retry handlers included), pointed at the fake."""
    return build_client(settings)


@pytest.fixture(params=["threads", "poster"])
def tick(request, runtime: Runtime, web: WebClient, settings) -> Iterator[Callable[[], DispatchReport]]:
    """One dispatcher pass at the fake clock's now — posting from the dispatcher's threads through
    ``web``, and (as ``python -m bot`` does) through the poster's event loop (``bot.sender``)."""
    poster = AsyncPoster(settings.slack_api_url) if request.param == "poster" else None
    if poster is not None:
        runtime.extras["sender"] = poster

    def run() -> DispatchReport:
        return dispatch_due(runtime, web)

    yield run
    if poster is not None:
        runtime.extras.pop("sender", None)
        poster.close()
