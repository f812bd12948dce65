"""slack pacing: Slack's rate-limit budget shared by every process on the database

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_pacing",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tat", sa.Float(precision=53), nullable=False),
        sa.Column("blocked_until", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_slack_pacing")),
    )


def downgrade() -> None:
    op.drop_table("slack_pacing")
