"""Alembic migrations. ``HEAD`` must name the newest revision in ``versions/``:
it lets every command check the schema without importing Alembic."""

HEAD = "0008"
