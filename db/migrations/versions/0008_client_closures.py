"""client closures: spans of days a client is closed (`closed:` on /client)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_closure_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_closure")),
        sa.UniqueConstraint(
            "team_id", "client_id", "first_day", "last_day", name=op.f("uq_client_closure_team_id_client_id_first_day_last_day")
        ),
    )
    op.create_index(op.f("ix_client_closure_client_id"), "client_closure", ["client_id"], unique=False)
    op.create_index(op.f("ix_client_closure_team_id"), "client_closure", ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_client_closure_team_id"), table_name="client_closure")
    op.drop_index(op.f("ix_client_closure_client_id"), table_name="client_closure")
    op.drop_table("client_closure")
