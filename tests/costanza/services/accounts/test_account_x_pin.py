"""`costanza account add x` in two runs, for a run without a terminal: the address to
authorise (the request token kept in secrets.toml), then `--pin`. Against the real
sandbox, whose authorisation page shows the PIN, as X's does."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result

from config.clock import FakeClock
from costanza.app import App
from tests.costanza.services.accounts.conftest import Platform, secret_values
from tests.costanza.services.accounts.helpers import account_row, assert_no_leak, stored_secrets

Run = Callable[..., Result]
URL = re.compile(r"http://127\.0\.0\.1:\d+/oauth/authorize\?oauth_token=sbx-rt-\w+")
NEXT = ("costanza account add x --consumer-key KEY --consumer-secret SECRET --pin THE-PIN")


def _keys(platform: Platform) -> list[str]:
    x = platform.creds["x"]
    return ["--consumer-key", x["consumer_key"], "--consumer-secret", x["consumer_secret"]]


def _step_one(run: Run, platform: Platform, *extra: str) -> tuple[Result, str]:
    result = run("account", "add", "x", *_keys(platform), *extra)
    assert result.exit_code == 0, result.output
    found = URL.search(result.output)
    assert found, result.output
    return result, found.group(0)


def _pin_for(url: str) -> str:
    """What the person reads on X's page after authorising the app."""
    page = requests.get(url, timeout=10)
    page.raise_for_status()
    found = re.search(r'<code id="oauth_pin">(\d+)</code>', page.text)
    assert found, page.text
    return found.group(1)


def _file(home: Path) -> dict[str, dict[str, Any]]:
    path = home / "secrets.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _pending(home: Path) -> list[dict[str, Any]]:
    return [v for k, v in _file(home).items() if k.startswith("x-pin:")]


def test_two_runs_connect_the_account(run: Run, app: App, home: Path,
                                      platform: Platform) -> None:
    first, url = _step_one(run, platform)

    assert "Open this address, sign in to X and authorise the app" in first.output
    assert NEXT in first.output
    assert "within 15 minutes" in first.output
    assert account_row(app, "x") is None
    [pending] = _pending(home)
    assert pending["request_token"] == url.rsplit("=", 1)[1]
    assert pending["request_token_secret"] not in first.output
    assert stored_secrets(home, "x") == {}  # only the pending entry, in a 0600 file

    second = run("account", "add", "x", *_keys(platform), "--pin", _pin_for(url))

    assert second.exit_code == 0, second.output
    x = platform.creds["x"]
    assert f"Connected the X account @{x['username']} as 'x'" in second.output
    row = account_row(app, "x")
    assert row is not None and (row.remote_id, row.health) == (x["user_id"], "ok")
    stored = stored_secrets(home, "x")
    for key in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        assert stored[key] == x[key]
    assert _pending(home) == []
    leaks = [*secret_values(platform.creds), pending["request_token_secret"]]
    assert_no_leak(home, first.output + second.output, leaks)


def test_no_prompt_at_a_terminal_and_the_name_and_profile_go_into_the_next_command(
        run: Run, app: App, home: Path, platform: Platform, terminal: None) -> None:
    first, url = _step_one(run, platform, "--no-prompt", "--name", "bottega-x")

    assert "Then type the PIN" not in first.output
    assert ("costanza account add x --consumer-key KEY --consumer-secret SECRET "
            "--name bottega-x --pin THE-PIN") in first.output
    second = run("account", "add", "x", *_keys(platform), "--name", "bottega-x",
                 "--pin", _pin_for(url))  # a terminal, --pin given up front: no prompt
    assert second.exit_code == 0, second.output
    assert "as 'bottega-x'" in second.output
    assert account_row(app, "bottega-x") is not None and _pending(home) == []

    other = run("--profile", "negozio", "account", "add", "x", *_keys(platform), "--no-prompt")
    assert other.exit_code == 0, other.output
    assert "costanza --profile negozio account add x --consumer-key KEY" in other.output


def test_step_one_as_json(run: Run, app: App, home: Path, platform: Platform,
                          clock: FakeClock) -> None:
    result = run("account", "add", "x", *_keys(platform), "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert URL.fullmatch(data["authorize_url"])
    assert data["next_command"] == NEXT
    assert data["expires_at"] == (clock.now() + timedelta(minutes=15)).isoformat()
    assert (data["network"], data["name"]) == ("x", "x")


def test_a_wrong_pin_connects_nothing_and_the_right_one_still_works(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    _, url = _step_one(run, platform)
    before = _file(home)

    wrong = run("account", "add", "x", *_keys(platform), "--pin", "0000000x")

    assert wrong.exit_code == 1
    assert wrong.output.startswith("X did not accept the PIN (401). Check the PIN that X "
                                   "showed and run the same command again with it.")
    assert account_row(app, "x") is None
    assert _file(home) == before
    right = run("account", "add", "x", *_keys(platform), "--pin", _pin_for(url))
    assert right.exit_code == 0, right.output
    assert account_row(app, "x") is not None and _pending(home) == []


def test_another_consumer_secret_in_step_two_is_said_plainly(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    _, url = _step_one(run, platform)
    before = _file(home)
    result = run("account", "add", "x", "--consumer-key", platform.creds["x"]["consumer_key"],
                 "--consumer-secret", "sbx-cs-typo", "--pin", _pin_for(url))
    assert result.exit_code == 1
    assert result.output.startswith("This consumer secret is not the one given when the X "
                                    "authorisation was started.")
    assert "sbx-cs-typo" not in result.output and "sbx-cs-typo" not in str(_file(home))
    assert account_row(app, "x") is None and _file(home) == before


def test_a_pin_without_step_one_says_to_run_it(run: Run, app: App, home: Path,
                                               platform: Platform) -> None:
    result = run("account", "add", "x", *_keys(platform), "--pin", "1234567")

    assert result.exit_code == 1
    assert result.output.startswith("There is no X authorisation waiting for a PIN for this "
                                    "consumer key")
    assert "Run the same command without --pin first" in result.output
    assert account_row(app, "x") is None
    assert not (home / "secrets.toml").exists()


def test_a_pin_for_another_consumer_key_finds_nothing_waiting(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    _, url = _step_one(run, platform)
    other = platform.control.create_accounts("altra-bottega")["x"]
    result = run("account", "add", "x", "--consumer-key", other["consumer_key"],
                 "--consumer-secret", other["consumer_secret"], "--pin", _pin_for(url))
    assert result.exit_code == 1
    assert "There is no X authorisation waiting for a PIN" in result.output
    assert len(_pending(home)) == 1 and account_row(app, "x") is None


def test_an_authorisation_older_than_fifteen_minutes_is_refused(
        run: Run, app: App, home: Path, platform: Platform, clock: FakeClock) -> None:
    _, url = _step_one(run, platform)
    pin = _pin_for(url)
    before = _file(home)
    clock.advance(minutes=15, seconds=1)

    result = run("account", "add", "x", *_keys(platform), "--pin", pin)

    assert result.exit_code == 1
    assert result.output.startswith("The X authorisation for this PIN was started more than "
                                    "15 minutes ago, and X no longer accepts it.")
    assert "Run the same command without --pin first" in result.output
    assert account_row(app, "x") is None
    assert _file(home) == before


def test_just_inside_fifteen_minutes_it_connects(run: Run, app: App, home: Path,
                                                 platform: Platform, clock: FakeClock) -> None:
    _, url = _step_one(run, platform)
    clock.advance(minutes=14, seconds=59)
    result = run("account", "add", "x", *_keys(platform), "--pin", _pin_for(url))
    assert result.exit_code == 0, result.output
    assert account_row(app, "x") is not None


def test_a_second_step_one_replaces_the_first(run: Run, app: App, home: Path,
                                              platform: Platform) -> None:
    _, first = _step_one(run, platform)
    _, second = _step_one(run, platform)
    [pending] = _pending(home)
    assert pending["request_token"] == second.rsplit("=", 1)[1] != first.rsplit("=", 1)[1]
    result = run("account", "add", "x", *_keys(platform), "--pin", _pin_for(second))
    assert result.exit_code == 0, result.output


def test_bad_consumer_keys_in_step_one_keep_nothing(run: Run, app: App, home: Path,
                                                    platform: Platform) -> None:
    x = platform.creds["x"]
    result = run("account", "add", "x", "--consumer-key", x["consumer_key"],
                 "--consumer-secret", "sbx-cs-wrong")
    assert result.exit_code == 1
    assert result.output.startswith("X did not accept these keys (401). Check the consumer "
                                    "key and secret")
    assert "sbx-cs-wrong" not in result.output
    assert not (home / "secrets.toml").exists()


def test_pin_and_access_token_together_are_refused(run: Run, app: App, home: Path,
                                                   platform: Platform) -> None:
    x = platform.creds["x"]
    result = run("account", "add", "x", *_keys(platform), "--access-token", x["access_token"],
                 "--access-token-secret", x["access_token_secret"], "--pin", "1234567")
    assert result.exit_code == 1
    assert "Give either --pin or --access-token and --access-token-secret, not both" in \
        result.output
    assert account_row(app, "x") is None and not (home / "secrets.toml").exists()


def test_the_two_runs_log_no_secret_even_at_debug(run: Run, app: App, home: Path,
                                                  platform: Platform,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    first, url = _step_one(run, platform)
    [pending] = _pending(home)
    second = run("account", "add", "x", *_keys(platform), "--pin", _pin_for(url))
    assert second.exit_code == 0, second.output

    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in [*secret_values(platform.creds), pending["request_token_secret"]]:
        assert value not in logged
        assert value not in first.output + second.output


@pytest.mark.parametrize("at_a_terminal", [True, False])
def test_a_terminal_is_told_from_a_pipe(at_a_terminal: bool) -> None:
    """The check the two-step flow turns on, on a real pseudo-terminal and a real pipe."""
    code = "from costanza.cli.account import _has_terminal; print(_has_terminal())"
    if at_a_terminal:
        leader, follower = os.openpty()
        try:
            done = subprocess.run([sys.executable, "-c", code], stdin=follower,
                                  capture_output=True, text=True, timeout=60, check=True)
        finally:
            os.close(leader)
            os.close(follower)
    else:
        done = subprocess.run([sys.executable, "-c", code], input="", capture_output=True,
                              text=True, timeout=60, check=True)
    assert done.stdout.strip() == str(at_a_terminal)
