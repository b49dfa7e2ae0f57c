"""The schema: migrations build exactly the models, and HEAD names the newest revision."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import posts.comment_tables  # noqa: F401  (the dialogue tables share Base)
from posts.migrations import HEAD
from posts.models import Base, CadenceChange, CadenceSlot, Profile
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty database on SQLite, then on PostgreSQL, that nothing has migrated."""
    url = (request.getfixturevalue("pg_url") if request.param == "postgres"
           else f"sqlite:///{tmp_path / 'old.db'}")
    store = Store(url, migrate=False)
    yield store
    store.dispose()


def _alembic(store: Store) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = store.engine
    return cfg


def test_0004_starts_each_profile_history_with_its_cadence(unmigrated: Store) -> None:
    from sqlalchemy import inspect, select

    cfg = _alembic(unmigrated)
    command.upgrade(cfg, "0003")
    rome = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    tokyo = datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
    with unmigrated.write() as db:
        shop = Profile(name="default", timezone="Europe/Rome", created_at=rome)
        shop.slots = [CadenceSlot(weekday=4, minute=720), CadenceSlot(weekday=0, minute=570)]
        db.add_all([shop, Profile(name="tokyo", timezone="Asia/Tokyo", created_at=tokyo)])
    command.upgrade(cfg, "head")
    with unmigrated.read() as db:
        rows = db.execute(select(Profile.name, CadenceChange.since, CadenceChange.timezone,
                                 CadenceChange.slots)
                          .join(Profile, Profile.id == CadenceChange.profile_id)
                          .order_by(Profile.name)).all()
    assert [tuple(r) for r in rows] == [
        ("default", rome, "Europe/Rome", [[0, 570], [4, 720]]),
        ("tokyo", tokyo, "Asia/Tokyo", []),
    ]
    command.downgrade(cfg, "0003")
    assert not inspect(unmigrated.engine).has_table("cadence_history")


def test_0008_adds_the_holds_and_keeps_the_dialogue(unmigrated: Store) -> None:
    from sqlalchemy import inspect, text

    cfg = _alembic(unmigrated)
    command.upgrade(cfg, "0007")
    at = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
    with unmigrated.engine.begin() as conn:
        conn.execute(text("INSERT INTO comment_watch (delivery_id, profile_id, network, "
                          "published_at, next_fetch_at, fetches) "
                          "VALUES (1, 1, 'x', :at, :at, 0)"), {"at": at})
    command.upgrade(cfg, "0008")
    columns = {t: {c["name"] for c in inspect(unmigrated.engine).get_columns(t)}
               for t in ("comment_watch", "comment_replies")}
    assert "taken_until" in columns["comment_watch"]
    assert "hold_code" in columns["comment_replies"]
    with unmigrated.engine.connect() as conn:
        row = conn.execute(text("SELECT network, taken_until FROM comment_watch")).one()
    assert tuple(row) == ("x", None)
    command.downgrade(cfg, "0007")
    inspector = inspect(unmigrated.engine)
    assert "taken_until" not in {c["name"] for c in inspector.get_columns("comment_watch")}
    assert "hold_code" not in {c["name"] for c in inspector.get_columns("comment_replies")}
    with unmigrated.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM comment_watch")).scalar() == 1
