"""Alembic migrations of the App's store (run with `slopguard db upgrade`)."""
