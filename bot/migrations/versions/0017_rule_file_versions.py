"""rule file versions: the console's 标签规则 and 话术库 editors keep every saved text

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 16:05:00
"""

from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rule_file_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_file_versions')),
    sa.UniqueConstraint('kind', 'version', name=op.f('uq_rule_file_versions_kind_version'))
    )


def downgrade() -> None:
    op.drop_table('rule_file_versions')
