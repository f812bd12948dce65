"""No query crosses workspaces: sessions are limited to one team_id, or refuse."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from db.models import Client, Workspace
from db.scoped import UnscopedQuery, all_teams_session, team_session


def _client(name: str, team: str | None = None) -> Client:
    return Client(
        name=name, name_key=name.casefold(), country="DE", tz="Europe/Berlin", **({"team_id": team} if team else {})
    )


def test_rows_are_stamped_and_reads_stay_in_their_workspace(runtime):
    with team_session(runtime.sessions, "TA") as session:
        session.add(_client("Acme"))
    with team_session(runtime.sessions, "TB") as session:
        session.add(_client("Acme"))
        session.add(_client("Beta"))
    with team_session(runtime.sessions, "TA") as session:
        names = session.scalars(select(Client.name)).all()
        assert names == ["Acme"]
        assert session.scalar(select(func.count()).select_from(Client)) == 1
        assert session.scalars(select(Client)).one().team_id == "TA"
    with all_teams_session(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 3


def test_updates_cannot_touch_another_workspace(runtime):
    with team_session(runtime.sessions, "TB") as session:
        session.add(_client("Beta"))
    with team_session(runtime.sessions, "TA") as session:
        session.execute(update(Client).values(note="hijacked"))
    with team_session(runtime.sessions, "TB") as session:
        assert session.scalars(select(Client)).one().note is None


def test_unscoped_queries_are_refused(runtime):
    with runtime.sessions.begin() as session, pytest.raises(UnscopedQuery):
        session.scalars(select(Workspace)).all()


def test_adding_a_row_for_another_workspace_is_refused(runtime):
    with pytest.raises(UnscopedQuery), team_session(runtime.sessions, "TA") as session:
        session.add(_client("Spy", team="TB"))


def test_one_workspace_can_reuse_another_ones_client_name(runtime):
    for team in ("TA", "TB"):
        with team_session(runtime.sessions, team) as session:
            session.add(_client("Same"))


def test_core_statements_on_team_tables_are_refused_in_a_team_session(runtime):
    with team_session(runtime.sessions, "TB") as session:
        session.add(_client("Beta"))
    with pytest.raises(UnscopedQuery), team_session(runtime.sessions, "TA") as session:
        session.execute(Client.__table__.update().values(note="hijacked"))
    with pytest.raises(UnscopedQuery), team_session(runtime.sessions, "TA") as session:
        session.execute(select(Client.__table__.c.id))
    with team_session(runtime.sessions, "TB") as session:
        assert session.scalars(select(Client)).one().note is None
