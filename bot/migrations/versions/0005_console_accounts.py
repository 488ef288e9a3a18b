"""console accounts and audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 12:30:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('wecom_userid', sa.String(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('last_login_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_console_users_staff_id_staff'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_users')),
        sa.UniqueConstraint('username', name=op.f('uq_console_users_username')),
        sa.UniqueConstraint('wecom_userid', name=op.f('uq_console_users_wecom_userid')),
    )
    op.create_table('audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('target', sa.String(length=128), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=False),
        sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_audit_log_user_id_console_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_action_target_created', 'audit_log', ['action', 'target', 'created_at'], unique=False)
    op.create_index(op.f('ix_audit_log_created_at'), 'audit_log', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_audit_log_created_at'), table_name='audit_log')
    op.drop_index('ix_audit_log_action_target_created', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('console_users')
