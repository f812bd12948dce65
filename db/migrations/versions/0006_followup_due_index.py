"""followup: partial index for the dispatcher's claim

The claim reads due rows ``WHERE status IN ('scheduled', 'sent') AND due_at <= now ORDER BY
due_at LIMIT n``. The (status, due_at) index cannot give that order for two statuses, so a large
backlog (after downtime) was scanned and sorted on every claim; an index on ``due_at`` over the
active rows only is read in order and stops after ``n``.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

ACTIVE_DUE = "status IN ('scheduled', 'sent') AND due_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_followup_active_due_at",
        "followup",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text(ACTIVE_DUE),
        sqlite_where=sa.text(ACTIVE_DUE),
    )


def downgrade() -> None:
    op.drop_index("ix_followup_active_due_at", table_name="followup")
