"""Alembic migrations of the store, from its first revision."""
