"""Inserting rows that another process may insert at the same moment: the second one
is skipped by the unique key (``ON CONFLICT DO NOTHING``, on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def insert_ignoring_conflict(db: Session, table: Any, rows: list[dict[str, Any]],
                             keys: list[str]) -> list[Any]:
    """Insert ``rows``, skipping those whose ``keys`` are taken (by an earlier row, or by
    another daemon's at the same moment); the keys of the rows inserted."""
    if not rows:
        return []
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    cols = [table.c[k] for k in keys]
    done = []
    for row in rows:
        statement = insert(table).values(**row).on_conflict_do_nothing(
            index_elements=keys).returning(*cols)
        got = db.execute(statement).first()
        if got is not None:
            done.append(tuple(got) if len(keys) > 1 else got[0])
    return done
