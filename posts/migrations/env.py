"""Alembic environment: the engine is handed in by ``posts.store.Store``."""

from __future__ import annotations

from alembic import context

from posts.comment_tables import Base  # the dialogue tables too (they share Base)

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` run by hand: take the URL from the config
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
