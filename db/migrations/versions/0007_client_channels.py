"""client channels: shared-channel links, client requests and their reply clock, until-reply follow-ups

Revision ID: 0007
Revises: 0006, 0003, 0005
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0006", "0003", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_client") as batch:
        batch.add_column(sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("reply_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("translate_mode", sa.String(length=8), nullable=True))
    with op.batch_alter_table("followup") as batch:
        batch.add_column(sa.Column("until_reply", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "client_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("reply_minutes", sa.Integer(), nullable=False),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.String(length=32), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("answered_how", sa.String(length=16), nullable=True),
        sa.Column("business_minutes", sa.Integer(), nullable=True),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_request_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_request")),
        sa.UniqueConstraint("team_id", "channel_id", "message_ts", name=op.f("uq_client_request_team_id_channel_id_message_ts")),
    )
    op.create_index(op.f("ix_client_request_client_id"), "client_request", ["client_id"], unique=False)
    op.create_index("ix_client_request_status_due_at", "client_request", ["status", "due_at"], unique=False)
    op.create_index("ix_client_request_status_warn_at", "client_request", ["status", "warn_at"], unique=False)
    op.create_index(op.f("ix_client_request_team_id"), "client_request", ["team_id"], unique=False)
    op.create_table(
        "request_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["client_request.id"],
            name=op.f("fk_request_message_request_id_client_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_message")),
        sa.UniqueConstraint(
            "team_id", "channel_id", "message_ts", name=op.f("uq_request_message_team_id_channel_id_message_ts")
        ),
    )
    op.create_index(op.f("ix_request_message_request_id"), "request_message", ["request_id"], unique=False)
    op.create_index(op.f("ix_request_message_team_id"), "request_message", ["team_id"], unique=False)
    op.create_index("ix_seen_event_seen_at", "seen_event", ["seen_at"], unique=False)  # pruning


def downgrade() -> None:
    op.drop_index("ix_seen_event_seen_at", table_name="seen_event")
    op.drop_index(op.f("ix_request_message_team_id"), table_name="request_message")
    op.drop_index(op.f("ix_request_message_request_id"), table_name="request_message")
    op.drop_table("request_message")
    op.drop_index(op.f("ix_client_request_team_id"), table_name="client_request")
    op.drop_index("ix_client_request_status_warn_at", table_name="client_request")
    op.drop_index("ix_client_request_status_due_at", table_name="client_request")
    op.drop_index(op.f("ix_client_request_client_id"), table_name="client_request")
    op.drop_table("client_request")
    with op.batch_alter_table("followup") as batch:
        batch.drop_column("until_reply")
    with op.batch_alter_table("client") as batch:
        batch.drop_column("translate_mode")
        batch.drop_column("reply_minutes")
    with op.batch_alter_table("channel_client") as batch:
        batch.drop_column("shared")
