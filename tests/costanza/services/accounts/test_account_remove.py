"""`costanza account remove`: the account and its keys go, its posts wait."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from costanza.app import App
from tests.costanza.services.accounts.conftest import Platform
from tests.costanza.services.accounts.helpers import (
    account_row,
    delivery,
    set_state,
    stored_secrets,
)

Run = Callable[..., Result]


def _add_x(run: Run, platform: Platform) -> None:
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", x["consumer_secret"], "--access-token",
                 x["access_token"], "--access-token-secret", x["access_token_secret"])
    assert result.exit_code == 0, result.output


def test_remove_keeps_the_waiting_posts_on_hold(run: Run, app: App, home: Path,
                                                platform: Platform,
                                                queued_for: Callable[..., list[int]]) -> None:
    _add_x(run, platform)
    fb = platform.creds["facebook"]
    assert run("account", "add", "facebook", "--page-token", fb["page_token"]).exit_code == 0
    first, second = queued_for("x", 2)
    set_state(app, second, state="retry_wait", attempts=1)

    result = run("account", "remove", "x")

    assert result.exit_code == 0, result.output
    assert "Removed the account 'x' and its keys." in result.output
    assert "2 posts wait until you connect another x account" in result.output
    assert account_row(app, "x") is None
    for d in (first, second):
        found = delivery(app, d)
        assert (found.state, found.account_id) == ("held", None)
        assert found.reason is not None and "No X account is connected" in found.reason
    data = tomllib.loads((home / "secrets.toml").read_text(encoding="utf-8"))
    assert "x" not in data and "facebook" in data
    assert stored_secrets(home, "facebook")  # still private

    _add_x(run, platform)  # connecting again picks the posts up
    row = account_row(app, "x")
    assert row is not None
    assert [delivery(app, d).account_id for d in (first, second)] == [row.id, row.id]
    assert [delivery(app, d).state for d in (first, second)] == ["queued", "queued"]


def test_remove_waits_while_a_post_is_being_published(
        run: Run, app: App, home: Path, platform: Platform,
        queued_for: Callable[..., list[int]]) -> None:
    _add_x(run, platform)
    [busy] = queued_for("x")
    set_state(app, busy, state="publishing")

    result = run("account", "remove", "x")

    assert result.exit_code == 1
    assert "is publishing, or checking whether it published, post" in result.output
    assert "Wait until `costanza log` shows how it went" in result.output
    assert account_row(app, "x") is not None
    assert stored_secrets(home, "x")["consumer_key"] == platform.creds["x"]["consumer_key"]


def test_remove_an_unknown_account(run: Run, app: App, platform: Platform) -> None:
    result = run("account", "remove", "nobody")
    assert result.exit_code == 1
    assert "There is no account called 'nobody'" in result.output
