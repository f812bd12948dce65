"""Uninstall and token revocation pause the workspace; using the app again resumes it."""

from __future__ import annotations

import time

from sqlalchemy import select

from db.models import Workspace
from db.scoped import team_session


def _settings(rapport) -> dict:
    with team_session(rapport.runtime.sessions, "T1") as session:
        row = session.scalars(select(Workspace)).one_or_none()
        return dict(row.settings) if row else {}


def _wait(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert predicate()


def test_user_token_revocation_is_ignored_bot_token_revocation_pauses(rapport):
    rapport.send.event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"]}}, event_id="Ev1")
    time.sleep(0.3)
    assert "uninstalled" not in _settings(rapport)
    rapport.send.event({"type": "tokens_revoked", "tokens": {"bot": ["B1"]}}, event_id="Ev2")
    _wait(lambda: "uninstalled" in _settings(rapport))


def test_a_command_after_reinstalling_resumes_the_workspace(rapport):
    rapport.send.event({"type": "app_uninstalled"}, event_id="Ev3")
    _wait(lambda: "uninstalled" in _settings(rapport))
    assert rapport.send.command("/rapport", "help").status == 200
    rapport.slack.wait_for("response")
    _wait(lambda: "uninstalled" not in _settings(rapport))
