"""`costanza account add x` against the sandbox: keys given, the PIN flow at a terminal, bad
keys (the PIN flow in two runs, without a terminal: test_account_x_pin)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from costanza.app import App
from tests.costanza.services.accounts.conftest import PIN, Front, Platform, secret_values
from tests.costanza.services.accounts.helpers import (
    account_row,
    assert_no_leak,
    delivery,
    stored_secrets,
)

Run = Callable[..., Result]


def _add_x(run: Run, platform: Platform, *extra: str) -> Result:
    x = platform.creds["x"]
    return run("account", "add", "x", "--consumer-key", x["consumer_key"],
               "--consumer-secret", x["consumer_secret"], "--access-token", x["access_token"],
               "--access-token-secret", x["access_token_secret"], *extra)


def test_add_x_with_keys_stores_them_privately(run: Run, app: App, home: Path,
                                               platform: Platform) -> None:
    result = _add_x(run, platform)

    assert result.exit_code == 0, result.output
    x = platform.creds["x"]
    assert f"Connected the X account @{x['username']} as 'x'" in result.output
    row = account_row(app, "x")
    assert row is not None
    assert (row.network, row.remote_id, row.display_name, row.health) == \
        ("x", x["user_id"], f"@{x['username']}", "ok")
    stored = stored_secrets(home, "x")
    for key in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        assert stored[key] == x[key]
    assert_no_leak(home, result.output, secret_values(platform.creds))


def test_add_x_with_the_pin_flow(run: Run, app: App, home: Path, platform: Platform,
                                 oauth_front: Front, terminal: None) -> None:
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", x["consumer_secret"], "--name", "bottega-x",
                 input=f"{PIN}\n")

    assert result.exit_code == 0, result.output
    url = re.search(r"http://127\.0\.0\.1:\d+/oauth/authorize\?oauth_token=req-\w+",
                    result.output)
    assert url, result.output
    assert "Then type the PIN that X shows" in result.output
    assert "as 'bottega-x'" in result.output
    assert stored_secrets(home, "bottega-x")["access_token"] == x["access_token"]
    row = account_row(app, "bottega-x")
    assert row is not None and row.remote_id == x["user_id"]
    paths = [c["path"] for c in oauth_front.calls]
    assert paths[:2] == ["/oauth/request_token", "/oauth/access_token"]
    assert "/2/users/me" in paths
    secrets = secret_values(platform.creds)
    assert not [c for c in oauth_front.calls for s in secrets if s in c["query"]]
    assert_no_leak(home, result.output, secret_values(platform.creds))


def test_a_wrong_pin_is_said_plainly(run: Run, app: App, home: Path, platform: Platform,
                                     oauth_front: Front, terminal: None) -> None:
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", x["consumer_secret"], input="999\n")

    assert result.exit_code == 1
    assert "X did not accept the PIN (401). Run the command again" in result.output
    assert account_row(app, "x") is None
    assert not (home / "secrets.toml").exists()


def test_bad_consumer_keys_in_the_pin_flow(run: Run, app: App, platform: Platform,
                                           oauth_front: Front, terminal: None) -> None:
    result = run("account", "add", "x", "--consumer-key", "sbx-ck-wrong",
                 "--consumer-secret", "nope", input=f"{PIN}\n")
    assert result.exit_code == 1
    assert "X did not accept these keys (401). Check the consumer key and secret" in \
        result.output
    assert "PIN" not in result.output.split("X did not accept")[0]


def test_bad_keys_are_refused_and_nothing_is_stored(run: Run, app: App, home: Path,
                                                    platform: Platform) -> None:
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", "sbx-cs-wrong", "--access-token", x["access_token"],
                 "--access-token-secret", x["access_token_secret"])

    assert result.exit_code == 1
    assert result.output.startswith("X did not accept these keys (401). Check the consumer "
                                    "key and secret")
    assert "then run the command again" in result.output
    assert account_row(app, "x") is None
    assert not (home / "secrets.toml").exists()
    assert "sbx-cs-wrong" not in result.output


def test_adding_x_sends_waiting_posts_to_it(run: Run, app: App, platform: Platform,
                                            queued_for: Callable[..., list[int]]) -> None:
    waiting = queued_for("x", 2)
    assert [delivery(app, d).state for d in waiting] == ["held", "held"]

    result = _add_x(run, platform)

    assert "2 posts that were waiting for this account will go out" in result.output
    row = account_row(app, "x")
    assert row is not None
    for d in waiting:
        found = delivery(app, d)
        assert (found.state, found.account_id, found.reason) == ("queued", row.id, None)


def test_account_options_must_come_in_pairs(run: Run, app: App, platform: Platform) -> None:
    result = run("account", "add", "x", "--consumer-key", "a", "--consumer-secret", "b",
                 "--access-token", "c")
    assert result.exit_code == 1
    assert "Give both --access-token and --access-token-secret, or neither" in result.output


def test_reserved_and_clashing_names(run: Run, app: App, platform: Platform) -> None:
    assert "cannot be an account name" in _add_x(run, platform, "--name", "media_host").output
    assert "cannot be an account name" in _add_x(run, platform, "--name", "a b").output
    fb = platform.creds["facebook"]
    assert run("account", "add", "facebook", "--page-token", fb["page_token"], "--name",
               "shop").exit_code == 0
    clash = _add_x(run, platform, "--name", "shop")
    assert clash.exit_code == 1
    assert "An account called 'shop' is already connected to Facebook" in clash.output


def test_the_pin_flow_logs_no_token_even_at_debug(run: Run, app: App, home: Path,
                                                  platform: Platform, oauth_front: Front,
                                                  terminal: None,
                                                  caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", x["consumer_secret"], input=f"{PIN}\n")
    assert result.exit_code == 0, result.output
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in secret_values(platform.creds):
        assert value not in logged


def test_ending_the_typing_without_a_pin_says_how_to_connect(
        run: Run, app: App, home: Path, platform: Platform, oauth_front: Front,
        terminal: None) -> None:
    """Ctrl-D at the PIN prompt: a plain way forward, not "Aborted!"."""
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", x["consumer_secret"], input="")

    assert result.exit_code == 1
    assert "Aborted!" not in result.output
    assert "No PIN was typed, so the X account was not connected" in result.output
    assert "--no-prompt" in result.output
    assert account_row(app, "x") is None
    assert not (home / "secrets.toml").exists()
