"""followup on_wire: which claimed reminders may really have gone to Slack

A claim that ends without an outcome (a crash) used to leave every row of the batch in doubt, and
each doubt costs a look at the person's DM (Tier 3) before sending again. With ``on_wire`` set
only when a post leaves, rows still waiting for their turn are taken again without a look.
Rows claimed at upgrade time are marked as on the wire: their claim predates the column, and
they must still be looked for.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followup") as batch:
        batch.add_column(sa.Column("on_wire", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE followup SET on_wire = true WHERE claimed_by IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("followup") as batch:
        batch.drop_column("on_wire")
