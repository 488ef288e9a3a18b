"""scale: customers' profiles are refreshed by a batch job after messages, not once per message

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 13:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_stale', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column('profile_stale', server_default=None)
        batch_op.create_index('ix_customers_profile_stale', ['profile_stale'], unique=False,
                              sqlite_where=sa.text('profile_stale = 1'), postgresql_where=sa.text('profile_stale'))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_profile_stale')
        batch_op.drop_column('profile_stale')
