"""idempotent API events and uncounted link clicks

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_events_idempotency_key'), ['idempotency_key'])
    with op.batch_alter_table('link_clicks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('link_clicks', schema=None) as batch_op:
        batch_op.alter_column('counted', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('link_clicks', schema=None) as batch_op:
        batch_op.drop_column('counted')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
