"""app messages counted per member: WeChat drops what goes over 30/min and 1000/h, so the bot counts and merges

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 12:30:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counted_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_app_messages_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['digest_id'], ['app_messages.id'], name=op.f('fk_app_messages_digest_id_app_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_app_messages_message_id_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_messages'))
    )
    with op.batch_alter_table('app_messages', schema=None) as batch_op:
        batch_op.create_index('ix_app_messages_userid_counted', ['userid', 'counted_at'], unique=False)
        batch_op.create_index('ix_app_messages_userid_status', ['userid', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('app_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_app_messages_userid_status')
        batch_op.drop_index('ix_app_messages_userid_counted')
    op.drop_table('app_messages')
