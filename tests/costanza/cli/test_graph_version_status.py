"""`costanza status` says when the Graph API version retires within 60 days (text and
`--json`), and a retired version in the settings is refused with the fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.clock import FakeClock
from config.edit import set_values

# v21.0 is available until 21 January 2027 (Meta's changelog): fixed dates of their own.
pytestmark = pytest.mark.pinned_dates
RETIRES = datetime(2027, 1, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def on_v21(run, home: Path, clock: FakeClock) -> Path:
    clock.set(RETIRES - timedelta(days=90))
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    config = home / "config.toml"
    set_values(config, "networks", {"graph_api_version": "v21.0"})
    return config


def test_status_warns_30_days_ahead(run, clock: FakeClock, on_v21: Path) -> None:
    clock.set(RETIRES - timedelta(days=30))
    result = run("status")
    assert result.exit_code == 0, result.output
    assert ("Meta retires Graph API version v21.0 on 21 January 2027, in 30 days: after "
            "that, posts to Facebook and Instagram will fail. Set [networks] "
            f'graph_api_version = "v27.0" in {on_v21} and run `costanza account check`.'
            ) in result.output
    data = json.loads(run("status", "--json").stdout)
    assert data["graph_api_version"]["version"] == "v21.0"
    assert data["graph_api_version"]["retires_on"] == "2027-01-21"
    problem = data["graph_api_version"]["problem"]
    assert (problem["level"], problem["days_left"]) == ("warning", 30)
    # JSON speaks English whatever the language.
    assert run("--lang", "it", "status", "--json").stdout == run("status", "--json").stdout


def test_status_says_nothing_61_days_ahead(run, clock: FakeClock, on_v21: Path) -> None:
    clock.set(RETIRES - timedelta(days=61))
    result = run("status")
    assert result.exit_code == 0 and "Graph API" not in result.output
    data = json.loads(run("status", "--json").stdout)
    assert data["graph_api_version"] == {"version": "v21.0", "retires_on": "2027-01-21",
                                         "problem": None}


def test_a_retired_version_stops_the_command_with_the_fix(run, clock: FakeClock,
                                                          on_v21: Path) -> None:
    clock.set(RETIRES)
    result = run("status")
    assert result.exit_code == 1
    assert ('`networks.graph_api_version` = "v21.0" names a Graph API version that Meta '
            "retired on 21 January 2027") in result.output
    assert 'Set graph_api_version = "v27.0" in [networks]' in result.output
    set_values(on_v21, "networks", {"graph_api_version": "v27.0"})
    assert run("status").exit_code == 0


def test_a_version_of_another_form_is_refused(run, on_v21: Path) -> None:
    set_values(on_v21, "networks", {"graph_api_version": "26"})
    result = run("status")
    assert result.exit_code == 1
    assert 'use a Graph API version such as "v27.0" (the form "vNN.0")' in result.output
