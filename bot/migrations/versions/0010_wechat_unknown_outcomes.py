"""deliveries remember a channel in doubt (no answer in time) and a channel that failed after "sent"

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('fallback_from', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('fallback_from')
        batch_op.drop_column('pinned_channel')
