"""slack installations and oauth states

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_state',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_oauth_state'))
    )
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_state_expires_at'), ['expires_at'], unique=False)

    op.create_table('slack_installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.String(length=32), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('is_enterprise_install', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('app_id', sa.String(length=32), nullable=True),
    sa.Column('team_name', sa.String(length=200), nullable=True),
    sa.Column('bot_id', sa.String(length=32), nullable=True),
    sa.Column('bot_user_id', sa.String(length=32), nullable=True),
    sa.Column('bot_scopes', sa.Text(), nullable=True),
    sa.Column('bot_token', sa.Text(), nullable=False),
    sa.Column('bot_refresh_token', sa.Text(), nullable=True),
    sa.Column('bot_token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('installer_user_id', sa.String(length=32), nullable=True),
    sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slack_installation')),
    sa.UniqueConstraint('enterprise_id', 'team_id', name=op.f('uq_slack_installation_enterprise_id_team_id'))
    )
    with op.batch_alter_table('slack_installation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_installation_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('slack_installation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_installation_team_id'))

    op.drop_table('slack_installation')
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_state_expires_at'))

    op.drop_table('oauth_state')
