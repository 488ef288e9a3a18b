"""analytics: 剧本效果 rollups per playbook, step and day; enrolments.updated_at and the indexes that
find the days that changed

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 20:00:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'playbook_report_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('playbook_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('step_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('variant', sa.String(length=64), nullable=False),
        sa.Column('errcode', sa.String(length=32), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('replied', sa.Integer(), nullable=False),
        sa.Column('clicked', sa.Integer(), nullable=False),
        sa.Column('converted', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'playbook_id', 'kind', 'step_id', 'status', 'variant', 'errcode',
                                name=op.f('pk_playbook_report_days')),
    )
    # Plain ALTERs (no batch): a batch would rebuild these big tables on SQLite.
    op.add_column('enrolments', sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE enrolments SET updated_at = COALESCE(ended_at, enrolled_at)")
    op.create_index('ix_enrolments_enrolled_at', 'enrolments', ['enrolled_at'], unique=False)
    op.create_index('ix_enrolments_playbook_enrolled', 'enrolments', ['playbook_id', 'enrolled_at'], unique=False)
    op.create_index('ix_enrolments_updated_at', 'enrolments', ['updated_at'], unique=False)
    op.create_index('ix_deliveries_updated_at', 'deliveries', ['updated_at'], unique=False)
    op.create_index('ix_link_clicks_created_at', 'link_clicks', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_link_clicks_created_at', table_name='link_clicks')
    op.drop_index('ix_deliveries_updated_at', table_name='deliveries')
    op.drop_index('ix_enrolments_updated_at', table_name='enrolments')
    op.drop_index('ix_enrolments_playbook_enrolled', table_name='enrolments')
    op.drop_index('ix_enrolments_enrolled_at', table_name='enrolments')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
    op.drop_table('playbook_report_days')
