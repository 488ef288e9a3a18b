"""Alembic migrations; `siyu init` runs them (see bot.schema)."""
