"""message labels: the tags an operator says a customer message should get (标注), to score the rules on

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 12:50:00
"""

from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('labelled_by', sa.String(length=64), nullable=False),
    sa.Column('labelled_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_labels_message_id_messages'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_labels')),
    sa.UniqueConstraint('message_id', name=op.f('uq_message_labels_message_id'))
    )


def downgrade() -> None:
    op.drop_table('message_labels')
