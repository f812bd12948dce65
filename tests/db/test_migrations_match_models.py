"""The Alembic revisions build exactly the schema the models describe (nothing forgotten in either)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.base import Base
from db.migrate import upgrade
from db.session import make_engine


def test_migrated_schema_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_reminders_claimed_when_on_wire_arrives_are_still_looked_for_after_a_crash(tmp_path):
    """Migration 0011: a claim taken before the column existed may have posted its whole batch, so
    those rows are marked on the wire (the next claim checks the DM first); unclaimed rows are not."""
    from alembic import command
    from sqlalchemy import text

    from db.migrate import alembic_config
    from tests.support.workers import insert_due

    engine = make_engine(f"sqlite:///{tmp_path / 'upgrade.db'}")
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO followup (team_id, short_id, client_name, owner_id, what, when_text, status,"
                " anchor_timed, occurrence, snoozed, until_reply, maybe_sent, attempts, sent_count, claimed_by,"
                " created_at, updated_at) VALUES ('T1', :short_id, 'c', 'U1', :what, 'now', 'scheduled',"
                " 1, 0, 0, 0, 0, 0, 0, :claimed_by, '2026-12-01', '2026-12-01')"
            ),
            [
                {"short_id": 1, "what": "claimed", "claimed_by": "old-worker"},
                {"short_id": 2, "what": "free", "claimed_by": None},
            ],
        )
    upgrade(engine)
    with engine.connect() as connection:
        marked = dict(connection.execute(text("SELECT what, on_wire FROM followup")).all())
    assert marked == {"claimed": 1, "free": 0}
    insert_due(engine, 1)  # new rows get the default
    with engine.connect() as connection:
        assert connection.execute(text("SELECT on_wire FROM followup WHERE what = 'reminder 0'")).scalar_one() == 0
    engine.dispose()
