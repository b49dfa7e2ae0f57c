"""Shared fixtures: a Costanza home in a temporary folder, an App on a fake clock,
and a CLI runner that uses that home."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from costanza.app import App
from costanza.clock import FakeClock

# A Saturday evening in Rome; the default slots are Mon 09:30, Wed 18:00, Fri 12:00.
START = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "costanza home"
    monkeypatch.setenv("COSTANZA_HOME", str(folder))
    monkeypatch.delenv("COSTANZA_PLATFORM_URL", raising=False)
    monkeypatch.delenv("COSTANZA_PROFILE", raising=False)
    monkeypatch.delenv("COSTANZA_CONFIG", raising=False)
    return folder


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
            from costanza.setup import initialise

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
def run(home: Path) -> Callable[..., Result]:
    """Run `costanza ARGS...` in-process against the test home."""
    from costanza.cli.main import cli

    def invoke(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke
