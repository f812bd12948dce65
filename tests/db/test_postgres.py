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
    """A backlog is not scanned and sorted on every claim (migration 0006) — also when psycopg
    has prepared the statement and PostgreSQL plans it generically, without the values."""
    import datetime as dt
    import re

    from sqlalchemy import text

    from handlers.followups.claims import due_query
    from tests.support.workers import insert_due

    engine = make_engine(pg_url)
    insert_due(engine, 5000)
    statement = due_query("deliver", dt.datetime.now(dt.UTC)).limit(200).with_for_update(skip_locked=True)
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    prepared = re.sub(r"%\((\w+)\)s", placeholder, compiled.string)
    values = [compiled.params[name] for name in names]
    arguments = ", ".join(f"'{v.isoformat()}'::timestamptz" if isinstance(v, dt.datetime) else str(v) for v in values)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE followup"))
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql(f"PREPARE claim_due AS {prepared}")
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN EXECUTE claim_due({arguments})"))
    engine.dispose()
    assert "ix_followup_active_due_at" in plan, plan
    assert "Sort" not in plan, plan


def test_a_connection_idle_past_the_limit_is_checked_and_replaced_when_the_server_dropped_it(pg_url, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    import db.session

    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = make_engine(pg_url, poolclass=NullPool)
        with admin.connect() as connection:  # as a server restart would
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        monkeypatch.setattr(db.session, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as connection:  # checked on checkout, replaced, and it works
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_before_each_checkout(pg_url):
    """No round trip per checkout: a connection used a moment ago goes straight to work (so a
    server restart under load costs the one statement that finds it, then the pool is renewed)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.pool import NullPool

    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = make_engine(pg_url, poolclass=NullPool)
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:  # the pool replaced the dropped connection
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
