"""scale: indexes for every hot query and for retention's deletes; when enrolments may be finished

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 12:20:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settle_after', bot.models.base.UTCDateTime(timezone=True), nullable=True))
    # Every enrolment so far gets looked at by the next finishing scan, which moves it on.
    op.execute("UPDATE enrolments SET settle_after = enrolled_at")
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.alter_column('settle_after', existing_type=bot.models.base.UTCDateTime(timezone=True),
                              nullable=False)
        batch_op.create_index('ix_enrolments_customer_status', ['customer_id', 'status'], unique=False)
        batch_op.create_index('ix_enrolments_status_settle', ['status', 'settle_after'], unique=False)
        batch_op.create_index('ix_enrolments_event_id', ['event_id'], unique=False)
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_callback_id', ['callback_id'], unique=False)
        batch_op.create_index('ix_messages_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.create_index('ix_customer_tags_message_id', ['message_id'], unique=False)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_message_id', ['message_id'], unique=False)
        batch_op.create_index('ix_deliveries_reply_message_id', ['reply_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_reply_message_id')
        batch_op.drop_index('ix_deliveries_message_id')
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_tags_message_id')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_created_at')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_created_at')
        batch_op.drop_index('ix_messages_callback_id')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_event_id')
        batch_op.drop_index('ix_enrolments_status_settle')
        batch_op.drop_index('ix_enrolments_customer_status')
        batch_op.drop_column('settle_after')
