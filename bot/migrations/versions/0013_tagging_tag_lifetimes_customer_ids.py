"""tagging: tags with a lifetime (customer_tags.expires_at); customer ids never reused on SQLite

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', bot.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_customer_tags_expires_at'), ['expires_at'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        # AUTOINCREMENT needs the table rebuilt; bot.schema.upgrade runs migrations with foreign keys
        # off on SQLite, so dropping the old table cascades nowhere. PostgreSQL never reuses ids.
        with op.batch_alter_table('customers', recreate='always',
                                  table_kwargs={'sqlite_autoincrement': True}) as batch_op:
            pass


def downgrade() -> None:
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_tags_expires_at'))
        batch_op.drop_column('expires_at')
