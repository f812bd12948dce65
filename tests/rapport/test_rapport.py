"""`/rapport`: hours, care settings, stats and export through the wire."""

from __future__ import annotations

import json

from sqlalchemy import select

from db.models import TeamMember, Workspace
from db.scoped import team_session


def ask(rapport, text: str) -> str:
    before = len(rapport.slack.calls_to("response"))
    assert rapport.send.command("/rapport", text).status == 200
    return rapport.slack.wait_for("response", before + 1)[before].args["text"]


def test_hours_are_stored_and_shown_with_the_slack_zone(rapport):
    answer = ask(rapport, "hours 08:30-17:00")
    assert "08:30–17:00" in answer and "Europe/London" in answer
    with team_session(rapport.runtime.sessions, "T1") as session:
        member = session.scalars(select(TeamMember)).one()
        assert (member.work_start, member.work_end) == (510, 1020)


def test_impossible_hours_are_refused_with_usage(rapport):
    for text in ("hours 25:00-26:00", "hours 17:00-08:00", "hours soon"):
        answer = ask(rapport, text)
        assert "Usage" in answer and "/rapport hours" in answer


def test_care_settings(rapport):
    assert "*on*: 5 day(s)" in ask(rapport, "care 5")
    assert "*off*" in ask(rapport, "care off")
    with team_session(rapport.runtime.sessions, "T1") as session:
        settings = session.scalars(select(Workspace)).one().settings
    assert settings == {"care_days": 5, "care_enabled": False}
    assert "Usage" in ask(rapport, "care 99")


def test_stats_and_export(rapport):
    assert "Clients: *0*" in ask(rapport, "stats")
    answer = ask(rapport, "export")
    assert "export" in answer
    [upload] = rapport.slack.wait_for("upload")
    data = json.loads(upload.args["_raw"])
    assert data["team_id"] == "T1" and "client" in data["tables"]


def test_unknown_subcommand(rapport):
    answer = ask(rapport, "dance")
    assert "/rapport dance" in answer and "Usage" in answer
