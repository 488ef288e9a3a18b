"""guides: on PostgreSQL the default guides' turns come from a sequence, so two processors giving
new customers a guide never wait for each other on the turn counter's row lock (the row stays
SQLite's counter, where one writer holds the lock anyway)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 06:40:00
"""

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

SEQUENCE = "guide_turns"
COUNTER = "guides:round_robin"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Owned by shared_values, where the counter lived: emptying that table (TRUNCATE ... RESTART
    # IDENTITY) starts the turns again, as it did the counter row.
    op.execute(f"CREATE SEQUENCE {SEQUENCE} MINVALUE 0 START WITH 0 OWNED BY shared_values.key")
    # Go on from the turn the counter row had reached, so the next guide is the one it would have given.
    op.execute(f"SELECT setval('{SEQUENCE}', value::bigint, false) FROM shared_values "
               f"WHERE key = '{COUNTER}' AND value ~ '^[0-9]+$'")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"INSERT INTO shared_values (key, value, updated_at) SELECT '{COUNTER}', nextval('{SEQUENCE}')::text, "
               f"now() ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    op.execute(f"DROP SEQUENCE {SEQUENCE}")
