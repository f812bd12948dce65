"""Persistence: SQLAlchemy models, sessions and Alembic migrations. Every row has a team_id."""
