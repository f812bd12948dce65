"""Care tests: the draft tests' fake translator and helpers, a Web API client on the fake Slack."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.slack import build_client
from db.models import Workspace
from db.models.care import CareNote
from db.scoped import all_teams_session, team_session
from handlers.common.runtime import Runtime
from tests.draft import conftest as draft
from tests.draft.conftest import add_client, set_member

# The draft tests' fixtures: TRANSLATOR=libre against a fake LibreTranslate.
libre = draft.libre
settings = draft.settings
runtime = draft.runtime

TEAM = "T1"


@pytest.fixture
def web(settings) -> WebClient:
    """The app's Web API client (retry handlers included), pointed at the fake Slack."""
    return build_client(settings)


def set_workspace(
    runtime: Runtime, team: str = TEAM, escalation_channel: str | None = None, **settings: object
) -> None:
    """The workspace row with its escalation channel and settings."""
    with team_session(runtime.sessions, team) as session:
        session.add(Workspace(team_id=team, escalation_channel=escalation_channel, settings=dict(settings)))


def notes(runtime: Runtime) -> list[CareNote]:
    with all_teams_session(runtime.sessions) as session:
        return list(session.scalars(select(CareNote).order_by(CareNote.id)))


__all__ = ["add_client", "notes", "set_member", "set_workspace"]
