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


def test_the_claim_reads_due_rows_in_order_from_the_partial_index(pg_url):
    """A backlog is not scanned and sorted on every claim (migration 0006)."""
    import datetime as dt

    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    from handlers.followups.delivery import _due_query
    from tests.followups.workers import insert_due

    engine = make_engine(pg_url)
    insert_due(engine, 5000)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE followup"))
        statement = _due_query("deliver", dt.datetime.now(dt.UTC)).limit(200).with_for_update(skip_locked=True)
        compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
    engine.dispose()
    assert "ix_followup_active_due_at" in plan, plan
    assert "Sort" not in plan, plan
