"""analytics: daily rollups of active customers and channel responses; indexes for the console's figures

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 16:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'daily_active_customers',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'customer_id', name=op.f('pk_daily_active_customers')),
    )
    with op.batch_alter_table('daily_active_customers', schema=None) as batch_op:
        batch_op.create_index('ix_daily_active_customers_customer_day', ['customer_id', 'day'], unique=False)
    op.create_table(
        'daily_channel_responses',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('responded', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'channel', name=op.f('pk_daily_channel_responses')),
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_status_sent', ['status', 'sent_at'], unique=False)
        batch_op.create_index('ix_deliveries_playbook_step_status', ['playbook_id', 'step_id', 'status'],
                              unique=False)
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_playbook_status', ['playbook_id', 'status'], unique=False)
    # Outside a batch: a batch on `customers` may rebuild it on SQLite (see 0015).
    op.create_index('ix_customers_first_seen_at', 'customers', ['first_seen_at'], unique=False)
    op.create_index('ix_customers_value_tier', 'customers', ['value_tier'], unique=False)
    op.create_index('ix_guide_tasks_created_at', 'guide_tasks', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_guide_tasks_created_at', table_name='guide_tasks')
    op.drop_index('ix_customers_value_tier', table_name='customers')
    op.drop_index('ix_customers_first_seen_at', table_name='customers')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_playbook_status')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_playbook_step_status')
        batch_op.drop_index('ix_deliveries_status_sent')
    op.drop_table('daily_channel_responses')
    op.drop_index('ix_daily_active_customers_customer_day', table_name='daily_active_customers')
    op.drop_table('daily_active_customers')
