"""inbound: callbacks are retried with backoff, then dead-lettered; a per-customer key orders them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 12:50:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_key', sa.String(length=160), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('next_attempt_at', bot.models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.alter_column('customer_key', existing_type=sa.String(length=160), server_default=None)
        batch_op.create_index('ix_callbacks_status_next_attempt', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_callbacks_customer_key_id', ['customer_key', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_customer_key_id')
        batch_op.drop_index('ix_callbacks_status_next_attempt')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('customer_key')
