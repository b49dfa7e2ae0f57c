"""The examples of issue 17, typed at the command line the way an Italian writes them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result
from sqlalchemy import select

from costanza.app import App
from posts.models import Pause

# Fixed dates of their own (December 2026, January 2027) on the fake clock of
# tests.conftest.DEFAULT_START; they touch no real clock or file time.
pytestmark = pytest.mark.pinned_dates

ROME = ZoneInfo("Europe/Rome")


def test_init_with_an_italian_zone_and_slots(run: Callable[..., Result]) -> None:
    result = run("init", "--timezone", "Roma", "--slots", "lun 9.30, mer 18.00, ven 12")
    assert result.exit_code == 0, result.output
    shown = json.loads(run("cadence", "show", "--json").output)
    assert shown == {"timezone": "Europe/Rome", "slots": "Mon 09:30, Wed 18:00, Fri 12:00"}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_cadence_set_reads_italian_in_either_language(run: Callable[..., Result],
                                                      lang: str) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("--lang", lang, "cadence", "set", "lunedì ore 9, Giovedi 9.30",
                 "--timezone", "europe/rome")
    assert result.exit_code == 0, result.output
    shown = json.loads(run("cadence", "show", "--json").output)
    assert shown == {"timezone": "Europe/Rome", "slots": "Mon 09:00, Thu 09:30"}


def _pauses(home_app: App) -> list[tuple[datetime, datetime | None]]:
    with home_app.store.read() as db:
        return [(p.start_at, p.end_at) for p in db.scalars(select(Pause)).all()]


def test_pause_with_italian_dates(run: Callable[..., Result],
                                  make_app: Callable[..., App]) -> None:
    assert run("init", "--timezone", "Roma").exit_code == 0
    result = run("--lang", "it", "pause", "--from", "24/12/2026", "--until", "6/1/2027")
    assert result.exit_code == 0, result.output
    assert _pauses(make_app(init=False)) == [
        (datetime(2026, 12, 24, tzinfo=ROME).astimezone(UTC),
         datetime(2027, 1, 7, tzinfo=ROME).astimezone(UTC))]


def test_pause_under_english_refuses_the_ambiguous_date(run: Callable[..., Result]) -> None:
    assert run("init", "--timezone", "Roma").exit_code == 0
    result = run("--lang", "en", "pause", "--from", "24/12/2026", "--until", "6/1/2027")
    assert result.exit_code != 0
    assert ("6/1/2027 could be 6 January 2027 or June 1, 2027: write 2027-01-06 or "
            "2027-06-01.") in result.output
    # Said without numbers, there is only one reading.
    result = run("--lang", "en", "pause", "--from", "24 December 2026", "--until",
                 "6 January 2027")
    assert result.exit_code == 0, result.output
