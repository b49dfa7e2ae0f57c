"""The schema: migrations build exactly the models, and HEAD names the newest revision."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from posts.migrations import HEAD
from posts.models import Base
from posts.store import MIGRATIONS, Store


def test_head_constant_matches_alembic() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'schema.db'}")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    store.dispose()


def test_second_open_skips_alembic_and_keeps_data(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from posts.models import Profile

    url = f"sqlite:///{tmp_path / 'again.db'}"
    first = Store(url)
    with first.write() as db:
        db.add(Profile(name="default", timezone="Europe/Rome", created_at=datetime.now(UTC)))
    first.dispose()
    second = Store(url)
    assert second._at_head()
    with second.read() as db:
        assert db.query(Profile).count() == 1
    second.dispose()
