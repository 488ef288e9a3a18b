"""inbound: the processor finds a customer's oldest waiting callback among the waiting ones only
(a partial index on received callbacks), not among every callback the customer ever sent

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 21:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

WAITING = "status = 'received'"


def upgrade() -> None:
    op.create_index('ix_callbacks_waiting_customer_key_id', 'callbacks', ['customer_key', 'id'], unique=False,
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.drop_index('ix_callbacks_customer_key_id', table_name='callbacks')


def downgrade() -> None:
    op.create_index('ix_callbacks_customer_key_id', 'callbacks', ['customer_key', 'id'], unique=False)
    op.drop_index('ix_callbacks_waiting_customer_key_id', table_name='callbacks')
