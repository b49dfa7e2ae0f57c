"""`costanza resume` ends the pause in effect now and keeps the holidays booked ahead,
on a fake clock: Sat 28 Nov 2026 19:00 in Rome."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select

from config.clock import FakeClock
from costanza.app import App
from posts.models import Pause

# Fixed dates of their own on the fake clock, the week of tests.conftest.DEFAULT_START;
# they touch no real clock or file time (see tests/conftest.py).
pytestmark = pytest.mark.pinned_dates


@pytest.fixture
def cli(home: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
        ) -> Iterator[Callable[..., Result]]:
    """Run `costanza ARGS...` in-process, on the fake clock."""
    from click.testing import CliRunner

    from costanza.cli.main import cli as main

    original = App.load.__func__  # type: ignore[attr-defined]
    fake = clock

    def load(cls: type[App], config_file: str | None = None, profile: str | None = None,
             clock: Any = None, env: dict[str, str] | None = None) -> App:
        return original(cls, config_file, profile, fake, env)

    monkeypatch.setattr(App, "load", classmethod(load))

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    assert invoke("init", "--timezone", "Europe/Rome").exit_code == 0
    yield invoke


def pauses(app: App) -> list[tuple[str, str | None]]:
    with app.store.read() as db:
        return [(p.start_at.isoformat(), p.end_at.isoformat() if p.end_at else None)
                for p in db.scalars(select(Pause).order_by(Pause.start_at))]


def book_holidays(cli: Callable[..., Result]) -> None:
    for args in (("--from", "2026-12-24", "--until", "2026-12-27"),
                 ("--from", "2027-01-06", "--until", "2027-01-06")):
        assert cli("pause", *args).exit_code == 0


def test_resume_ends_only_the_pause_in_effect(cli, clock: FakeClock, make_app) -> None:
    assert cli("pause").exit_code == 0
    book_holidays(cli)
    clock.advance(hours=2)
    result = cli("resume")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Publishing resumed: posts go out again from the next slot.",
        "Ended the pause from Sat 28 Nov 2026 19:00, with no end date.",
        "Still planned (posts will wait then):",
        "  Thu 24 Dec 2026 to Sun 27 Dec 2026 (both included)",
        "  Wed 06 Jan 2027 (the whole day)",
        "To cancel them, run `costanza resume --all`.",
    ]
    assert pauses(make_app()) == [
        ("2026-11-28T18:00:00+00:00", "2026-11-28T20:00:00+00:00"),
        ("2026-12-23T23:00:00+00:00", "2026-12-27T23:00:00+00:00"),
        ("2027-01-05T23:00:00+00:00", "2027-01-06T23:00:00+00:00"),
    ]


def test_resume_inside_a_booked_holiday_keeps_the_later_ones(cli, clock: FakeClock,
                                                             make_app) -> None:
    from datetime import UTC, datetime

    book_holidays(cli)
    clock.set(datetime(2026, 12, 25, 9, 0, tzinfo=UTC))
    data = json.loads(cli("resume", "--json").output)
    assert data["resumed"] is True and data["cancelled"] == []
    assert [p["dates"] for p in data["ended"]] == [
        "Thu 24 Dec 2026 to Sun 27 Dec 2026 (both included)"]
    assert [p["from"] for p in data["planned"]] == ["2027-01-05T23:00:00+00:00"]
    assert pauses(make_app())[0][1] == "2026-12-25T09:00:00+00:00"


def test_resume_with_nothing_paused_lists_the_planned_and_changes_nothing(cli,
                                                                          make_app) -> None:
    book_holidays(cli)
    before = pauses(make_app())
    result = cli("resume")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == ("Nothing is paused right now, so nothing was "
                                             "changed.")
    assert "  Wed 06 Jan 2027 (the whole day)" in result.output.splitlines()
    assert "costanza resume --all" in result.output
    assert pauses(make_app()) == before


def test_resume_all_cancels_the_current_and_planned_pauses(cli, clock: FakeClock,
                                                           make_app) -> None:
    assert cli("pause").exit_code == 0
    book_holidays(cli)
    clock.advance(minutes=30)
    result = cli("resume", "--all")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Publishing resumed: posts go out again from the next slot.",
        "Ended the pause from Sat 28 Nov 2026 19:00, with no end date.",
        "Cancelled the planned pause Thu 24 Dec 2026 to Sun 27 Dec 2026 (both included).",
        "Cancelled the planned pause Wed 06 Jan 2027 (the whole day).",
    ]
    assert pauses(make_app()) == [("2026-11-28T18:00:00+00:00", "2026-11-28T18:30:00+00:00")]
    queue = json.loads(cli("queue", "--json").output)
    assert queue["pauses"] == []
    assert cli("resume").output.strip() == "Nothing is paused right now, so nothing was changed."


def test_resume_json_when_nothing_is_paused_or_planned(cli) -> None:
    data = json.loads(cli("resume", "--json").output)
    assert data == {"resumed": False, "at": "2026-11-28T18:00:00+00:00", "ended": [],
                    "cancelled": [], "planned": []}
