"""The schema migrates on PostgreSQL and scoping holds there too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.migrate import is_current, upgrade
from db.models import Client
from db.scoped import team_session
from db.session import make_engine, make_session_factory

pytestmark = pytest.mark.postgres


def test_migrations_apply_and_are_idempotent_on_postgres(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)  # second time: nothing to do
    assert is_current(engine)
    sessions = make_session_factory(engine)
    with team_session(sessions, "TA") as session:
        session.add(Client(name="Acme", name_key="acme", country="JP", tz="Asia/Tokyo"))
    with team_session(sessions, "TB") as session:
        assert session.scalars(select(Client)).all() == []
    engine.dispose()
