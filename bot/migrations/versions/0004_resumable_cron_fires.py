"""resumable cron fires: a long scan records its progress, so a worker's death resumes it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:45:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cron_fires', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cursor', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('lease_until', bot.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', bot.models.base.UTCDateTime(timezone=True), nullable=True))
    # Every fire recorded so far was done in the transaction that recorded it.
    op.execute("UPDATE cron_fires SET finished_at = created_at")
    with op.batch_alter_table('cron_fires', schema=None) as batch_op:
        batch_op.alter_column('cursor', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('cron_fires', schema=None) as batch_op:
        batch_op.drop_column('finished_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('cursor')
