"""tagging: customers keep AUTOINCREMENT on SQLite after 0014's batch rebuild dropped it

A batch rebuild of `customers` on SQLite (any `alter_column` there) recreates the table from its
reflection, which does not carry AUTOINCREMENT: such a migration must pass
`table_kwargs={'sqlite_autoincrement': True}`, or be followed by this rebuild.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 14:02:00
"""

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('customers', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
            pass


def downgrade() -> None:
    pass
