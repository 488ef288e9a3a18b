"""scale: daily message counts kept before retention deletes messages; old cron fires found by time

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'daily_message_counts',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.Column('customers', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'direction', name=op.f('pk_daily_message_counts')),
    )
    with op.batch_alter_table('cron_fires', schema=None) as batch_op:
        batch_op.create_index('ix_cron_fires_fire_time', ['fire_time'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cron_fires', schema=None) as batch_op:
        batch_op.drop_index('ix_cron_fires_fire_time')
    op.drop_table('daily_message_counts')
