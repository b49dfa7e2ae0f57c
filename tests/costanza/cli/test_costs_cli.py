"""`costanza costs`, the link warning of `post add` / `post edit`, and the [x] settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from costanza.app import App
from posts.models import XCharge

WARNING = ("This post costs about 13 times more on X ($0.20 instead of $0.015) because of "
           "the link.")


@pytest.fixture
def ready(run: Callable[..., Result]) -> Callable[..., Result]:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    return run


def charge(app: App, delivery: int, kind: str, amount: int, at: datetime) -> None:
    with app.store.write() as db:
        db.add(XCharge(profile_id=1, post_id=delivery, delivery_id=delivery, part=0, kind=kind,
                       amount_micro=amount, prices_of="2026-04-20", charged_at=at))


def settings(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_a_link_going_to_x_warns_and_the_post_is_queued(ready: Callable[..., Result]) -> None:
    result = ready("post", "add", "Il negozio: https://bottega.example.it", "--to", "x,facebook")
    assert result.exit_code == 0
    assert "Added post 1" in result.output and WARNING in result.output
    assert "--text-x" in result.output
    data = json.loads(ready("post", "add", "Vedi bottega.example.it", "--to", "x",
                            "--json").output)
    assert data["x_cost_warning"].startswith(WARNING)


def test_no_warning_without_a_link_on_x(ready: Callable[..., Result]) -> None:
    result = ready("post", "add", "Il negozio: https://bottega.example.it", "--to", "x,facebook",
                   "--text-x", "Il negozio è aperto", "--json")
    assert json.loads(result.output)["x_cost_warning"] is None
    result = ready("post", "add", "https://bottega.example.it", "--to", "facebook", "--json")
    assert json.loads(result.output)["x_cost_warning"] is None
    assert "13 times" not in ready("post", "add", "Solo testo", "--to", "x").output


def test_edit_that_puts_a_link_on_x_warns(ready: Callable[..., Result]) -> None:
    assert ready("post", "add", "Solo testo", "--to", "x").exit_code == 0
    result = ready("post", "edit", "1", "--text", "Ora con link: bottega.example.it")
    assert result.exit_code == 0 and WARNING in result.output
    assert WARNING not in ready("post", "edit", "1", "--category", "bottega").output


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_costs_by_month_in_words_and_json(ready: Callable[..., Result], home: Path,
                                          make_app: Callable[..., App]) -> None:
    settings(home, "[x]\nmonthly_budget = 5\n")
    app = make_app()
    now = app.clock.now()
    charge(app, 1, "post", 15_000, now)
    charge(app, 2, "post_with_url", 200_000, now)
    charge(app, 3, "post", 15_000, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))  # 1 Nov, Rome
    charge(app, 4, "post", 15_000, datetime(2026, 10, 31, 22, 30, tzinfo=UTC))  # October
    text = ready("costs").output
    assert "What X cost in November 2026 (prices of 2026-04-20):" in text
    assert "2 posts without a link: $0.03" in text and "1 post with a link: $0.20" in text
    assert "Total: $0.23" in text and "Monthly budget: $5.00; left this month: $4.77." in text
    data = json.loads(ready("costs", "--json").output)
    assert data["month"] == "2026-11" and data["count"] == 3
    assert data["kinds"]["post"] == {"count": 2, "usd": "0.03", "micro": 30_000}
    assert (data["total_usd"], data["budget_usd"], data["left_usd"]) == ("0.23", "5", "4.77")
    assert data["blocked"] is False and data["reason"] is None
    october = json.loads(ready("costs", "--month", "2026-10", "--json").output)
    assert (october["count"], october["total_usd"], october["left_usd"]) == (1, "0.015", None)


def test_costs_shows_the_comments_read_on_their_own_line(ready: Callable[..., Result],
                                                         home: Path,
                                                         make_app: Callable[..., App]) -> None:
    from posts.x_ledger import record_reads

    settings(home, "[x]\nmonthly_budget = 5\n")
    app = make_app()
    assert "comments read" not in ready("costs").output
    charge(app, 1, "post", 15_000, app.clock.now())
    with app.store.write() as db:
        record_reads(db, profile_id=1, post_id=1, delivery_id=1, fetch_number=1, reads=12,
                     settings=app.settings, now=app.clock.now())
    text = ready("costs").output
    assert "  12 comments read: $0.06" in text and "1 post without a link: $0.015" in text
    assert "Total: $0.075" in text and "left this month: $4.925." in text
    data = json.loads(ready("costs", "--json").output)
    assert data["kinds"]["read"] == {"count": 12, "usd": "0.06", "micro": 60_000}
    assert data["count"] == 1 and data["total_micro"] == 75_000


def test_costs_says_the_budget_is_reached(ready: Callable[..., Result], home: Path,
                                          make_app: Callable[..., App]) -> None:
    settings(home, "[x]\nmonthly_budget = 0.2\n")
    app = make_app()
    charge(app, 1, "post_with_url", 200_000, app.clock.now())
    text = ready("costs").output
    assert ("The X budget of $0.20 is reached for November: posts to X wait until 1 "
            "December, or raise `[x] monthly_budget` in the settings.") in text
    from costanza.services.costs import budget_status

    status = budget_status(app)
    assert status["blocked"] is True and status["left_usd"] == "0"


def test_no_budget_is_said_plainly(ready: Callable[..., Result]) -> None:
    assert "No monthly budget is set" in ready("costs").output
    assert json.loads(ready("costs", "--json").output)["budget_usd"] is None


@pytest.mark.parametrize("month", ["2026-13", "dicembre", "26-12"])
def test_a_bad_month_is_refused(ready: Callable[..., Result], month: str) -> None:
    result = ready("costs", "--month", month)
    assert result.exit_code == 1 and "is not a month" in result.output


@pytest.mark.parametrize("line", ["monthly_budget = -1", 'monthly_budget = "5"',
                                  "price_post = 1000", "price_media_upload = 1"])
def test_bad_x_settings_are_refused(ready: Callable[..., Result], home: Path,
                                    line: str) -> None:
    settings(home, f"[x]\n{line}\n")
    result = ready("costs")
    assert result.exit_code == 1 and "`x." in result.output, result.output


def test_prices_in_the_settings_override_the_table(ready: Callable[..., Result],
                                                   home: Path) -> None:
    settings(home, "[x]\nprice_post = 0.01\nprice_post_with_url = 0.25\n")
    result = ready("post", "add", "bottega.example.it", "--to", "x")
    assert "about 25 times more on X ($0.25 instead of $0.01)" in result.output
    data = json.loads(ready("costs", "--json").output)
    assert data["prices"] == {"post_usd": "0.01", "post_with_url_usd": "0.25",
                              "read_usd": "0.005", "since": "config"}
