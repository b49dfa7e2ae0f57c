"""X's costs where the artisan meets them: `account add x --help`, `costanza status`,
`costanza queue` and `costanza log` when `[x] monthly_budget` holds X's posts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from costanza.app import App
from tests.costanza.cli.test_costs_cli import charge, settings

NOTE = "(X waits for the monthly budget)"


def test_the_x_help_has_the_portal_steps_and_the_prices(run: Callable[..., Result]) -> None:
    text = run("account", "add", "x", "--help").output
    steps = [line.strip() for line in text.splitlines() if line.strip()[:2] in
             {"1.", "2.", "3.", "4.", "5."}]
    assert len(steps) == 5, text  # one step a line, as written (not rewrapped)
    assert "developer.x.com" in text and '"Read and write"' in text
    assert "API Key Secret" in text and "access token" in steps[4]
    assert "2026-02-06" in text and "2026-04-20" in text
    assert "$0.015" in text and "$0.20" in text
    assert "`costanza costs`" in text and "`[x] monthly_budget`" in text


@pytest.fixture
def ready(run: Callable[..., Result]) -> Callable[..., Result]:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    return run


def test_status_says_nothing_of_x_without_a_budget(ready: Callable[..., Result]) -> None:
    assert json.loads(ready("status", "--json").output)["x_budget"] is None
    assert "X this month" not in ready("status").output


def test_status_shows_the_budget_and_says_when_it_is_reached(
        ready: Callable[..., Result], home: Path, make_app: Callable[..., App]) -> None:
    settings(home, "[x]\nmonthly_budget = 0.2\n")
    app = make_app()
    charge(app, 1, "post", 15_000, app.clock.now())
    assert "X this month: $0.015 spent of the $0.20 budget" in ready("status").output
    charge(app, 2, "post_with_url", 200_000, app.clock.now())
    text = ready("status").output
    assert ("The X budget of $0.20 is reached for November: posts to X wait until 1 "
            "December") in text and "X this month" not in text
    budget = json.loads(ready("status", "--json").output)["x_budget"]
    assert budget["blocked"] is True and budget["budget_usd"] == "0.2"
    assert budget["reason"].startswith("The X budget of $0.20 is reached")


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_queue_marks_the_x_posts_that_wait_for_the_budget(
        ready: Callable[..., Result], home: Path, make_app: Callable[..., App]) -> None:
    assert ready("post", "add", "Per X", "--to", "x").exit_code == 0
    assert ready("post", "add", "Solo Facebook", "--to", "facebook").exit_code == 0
    assert NOTE not in ready("queue").output
    settings(home, "[x]\nmonthly_budget = 0.2\n")
    app = make_app()
    charge(app, 1, "post_with_url", 200_000, app.clock.now())
    lines = ready("queue").output.splitlines()
    assert [NOTE in line for line in lines if "Per X" in line] == [True]
    assert [NOTE in line for line in lines if "Solo Facebook" in line] == [False]
    entries = json.loads(ready("queue", "--json").output)["entries"]
    assert [e["x_waits_for_budget"] for e in entries] == [True, False]
