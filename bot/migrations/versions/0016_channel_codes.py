"""channel codes: 渠道活码 made from the console, and adds per code by time

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 15:55:00
"""

from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('config_id', sa.String(length=64), nullable=False),
    sa.Column('qr_code', sa.Text(), nullable=False),
    sa.Column('type', sa.Integer(), nullable=False),
    sa.Column('users', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('remark', sa.String(length=30), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_codes')),
    sa.UniqueConstraint('state', name=op.f('uq_channel_codes_state'))
    )
    op.create_index(op.f('ix_channel_codes_config_id'), 'channel_codes', ['config_id'], unique=False)
    op.create_index('ix_customer_guides_state_added', 'customer_guides', ['state', 'added_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_guides_state_added', table_name='customer_guides')
    op.drop_index(op.f('ix_channel_codes_config_id'), table_name='channel_codes')
    op.drop_table('channel_codes')
