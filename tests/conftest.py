"""Shared fixtures: a Costanza home in a temporary folder, an App on a fake clock,
and a CLI runner that uses that home."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from config.clock import FakeClock
from costanza.app import App

# A Saturday evening in Rome; the default slots are Mon 09:30, Wed 18:00, Fri 12:00.
# COSTANZA_TEST_START moves it: scripts/test runs every test on the fake clock a second
# time with the clock started years ahead, so that no test can lean on the real date or on
# real file times (a fixed date meets only the fake clock).
DEFAULT_START = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)


def _start() -> datetime:
    value = os.environ.get("COSTANZA_TEST_START")
    if not value:
        return DEFAULT_START
    start = datetime.fromisoformat(value)
    return start if start.tzinfo else start.replace(tzinfo=UTC)


START = _start()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With COSTANZA_TEST_START, run only the tests that see it: those on the fake clock,
    less the ones that pin dates of their own to the default start's week
    (``pytest.mark.pinned_dates``: they touch no real clock or file time)."""
    if not os.environ.get("COSTANZA_TEST_START"):
        return
    keep, drop = [], []
    for item in items:
        on_fake_clock = "clock" in getattr(item, "fixturenames", ())
        pinned = item.get_closest_marker("pinned_dates") is not None
        (keep if on_fake_clock and not pinned else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test speaks English unless it chooses otherwise (COSTANZA_LANG, which
    subprocesses inherit, outranks the machine's own LANG); the process's language is
    English again after each test."""
    from config import i18n

    monkeypatch.setenv("COSTANZA_LANG", "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "costanza home"
    monkeypatch.setenv("COSTANZA_HOME", str(folder))
    for name in ("COSTANZA_PLATFORM_URL", "COSTANZA_PROFILE", "COSTANZA_CONFIG",
                 "COSTANZA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Any]:
    """An engine on the local PostgreSQL server's maintenance database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc}); "
                    "scripts/test starts it")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: Any) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import uuid

    from sqlalchemy import text

    name = f"costanza_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    from posts.store import forget_migrated

    forget_migrated()
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
            home: Path) -> str:
    """Run a test on SQLite and again on PostgreSQL."""
    if request.param == "postgres":
        monkeypatch.setenv("COSTANZA_DATABASE_URL", request.getfixturevalue("pg_url"))
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def make_app(home: Path, clock: FakeClock) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def factory(init: bool = True, timezone: str = "Europe/Rome",
                slots: str = "mon 09:30, wed 18:00, fri 12:00", **_: Any) -> App:
        app = App.load(clock=clock)
        if init and not app.is_set_up():
            from costanza.services.setup import initialise

            initialise(app, timezone=timezone, slots=slots, force=False)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.close()


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app()


@pytest.fixture
def run(home: Path, clock: FakeClock) -> Callable[..., Result]:
    """Run `costanza ARGS...` in-process against the test home, on the test's fake clock."""
    from costanza.cli.main import cli

    def invoke(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False,
                             obj={"clock": clock})

    return invoke
