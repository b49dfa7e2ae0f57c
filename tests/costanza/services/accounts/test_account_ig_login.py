"""`costanza account add instagram --instagram-login` (no Facebook Page), `account check` of
such an account and the refresh of its token, against the sandbox's graph.instagram.com."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from config.clock import FakeClock
from costanza.app import App
from costanza.services.accounts import refresh_instagram_login_tokens
from tests.costanza.services.accounts.conftest import Platform, secret_values
from tests.costanza.services.accounts.helpers import account_row, assert_no_leak, stored_secrets

Run = Callable[..., Result]
# The tests that call the refresh with ``app`` ask for ``platform`` first: the app then
# reads COSTANZA_PLATFORM_URL (the sandbox) when it loads.
APP_SECRET = "ig-app-secret-1"
DAY = 24 * 3600


def _login_calls(platform: Platform, endpoint: str) -> list[dict]:
    return [r for r in platform.control.requests() if r.get("endpoint") == endpoint]


def _connect(run: Run, platform: Platform, *extra: str) -> Result:
    result = run("account", "add", "instagram", "--instagram-login",
                 "--token", platform.creds["instagram"]["login_token"], *extra)
    assert result.exit_code == 0, result.output
    return result


def _expiry(home: Path) -> datetime:
    return datetime.fromisoformat(stored_secrets(home, "instagram")["token_expires_at"])


def test_connect_with_the_app_secret_stores_a_long_lived_token(
        run: Run, platform: Platform, app: App, home: Path, clock: FakeClock) -> None:
    ig = platform.creds["instagram"]
    result = _connect(run, platform, "--app-secret", APP_SECRET)

    assert f"Connected the Instagram account @{ig['username']} as 'instagram'" in result.output
    assert "The token lasts until" in result.output
    row = account_row(app, "instagram")
    assert row is not None and row.remote_id == ig["ig_user_id"]
    stored = stored_secrets(home, "instagram")
    assert stored["login"] == "instagram"
    assert stored["token"].startswith("IGAASBX") and stored["token"] != ig["login_token"]
    assert stored["token_issued_at"] == clock.now().replace(microsecond=0).isoformat()
    assert _expiry(home) - clock.now() == timedelta(days=60)
    [exchange] = _login_calls(platform, "ig_access_token")
    assert exchange["method"] == "POST" and "?" not in exchange["path"]
    assert exchange["path"] == "/ig-graph/access_token"
    assert _login_calls(platform, "ig_login_me")[0]["path"] == "/ig-graph/v26.0/me"
    assert_no_leak(home, result.output, [*secret_values(platform.creds), ig["login_token"],
                                         stored["token"], APP_SECRET])


def test_connect_as_json_gives_the_expiry_in_utc(run: Run, app: App,
                                                 platform: Platform) -> None:
    result = _connect(run, platform, "--app-secret", APP_SECRET, "--json")
    data = json.loads(result.stdout)
    assert data["login"] == "instagram" and data["network"] == "instagram"
    assert data["token_expires_at"].endswith("+00:00")


def test_connect_without_the_app_secret_keeps_the_token_as_given(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    ig = platform.creds["instagram"]
    result = _connect(run, platform)
    stored = stored_secrets(home, "instagram")
    assert stored["token"] == ig["login_token"]
    assert "token_expires_at" not in stored
    assert "Without --app-secret Costanza does not know when this token expires" in \
        result.output
    assert "has no Facebook Page" in result.output and "[media_host]" in result.output
    assert "Videos can go out without one" in result.output
    assert _login_calls(platform, "ig_access_token") == []


@pytest.mark.parametrize("token", ["IGAASBXnotatoken", "page_token"])
def test_a_bad_token_is_said_plainly_and_nothing_is_stored(
        run: Run, app: App, home: Path, platform: Platform, token: str) -> None:
    # A Facebook Login token (the Page's) is no Instagram Login token either.
    given = platform.creds["facebook"].get(token, token)
    result = run("account", "add", "instagram", "--instagram-login", "--token", given,
                 "--app-secret", APP_SECRET)
    assert result.exit_code == 1
    assert result.output.startswith("Instagram did not accept this token")
    assert "--instagram-login --token" in result.output
    assert account_row(app, "instagram") is None
    assert not (home / "secrets.toml").exists() or not stored_secrets(home, "instagram")
    assert given not in result.output and "Traceback" not in result.output


def test_a_refused_exchange_says_what_to_check(run: Run, app: App, home: Path,
                                               platform: Platform) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    long_lived = stored_secrets(home, "instagram")["token"]
    # A long-lived token cannot be exchanged again.
    result = run("account", "add", "instagram", "--instagram-login", "--token", long_lived,
                 "--app-secret", APP_SECRET, "--name", "other")
    assert result.exit_code == 1
    assert "did not exchange this token for a long-lived one. Check --app-secret" in \
        result.output
    assert account_row(app, "other") is None


@pytest.mark.parametrize("options", [["--page-id", "123"], ["--ig-user-id", "17"]])
def test_page_options_do_not_go_with_instagram_login(run: Run, app: App, platform: Platform,
                                                     options: list[str]) -> None:
    result = run("account", "add", "instagram", "--instagram-login", "--token", "IGAA1",
                 *options)
    assert result.exit_code == 1
    assert f"there is no Facebook Page: leave out {options[0]}" in result.output
    assert platform.control.requests() == []


def test_instagram_login_needs_a_token(run: Run, app: App, platform: Platform) -> None:
    result = run("account", "add", "instagram", "--instagram-login")
    assert result.exit_code == 1
    assert "give the Instagram Login token with --token" in result.output


def test_the_app_secret_goes_with_instagram_login_only(run: Run, app: App,
                                                       platform: Platform) -> None:
    result = run("account", "add", "instagram", "--app-secret", APP_SECRET)
    assert result.exit_code == 1
    assert "--app-secret goes with --instagram-login" in result.output


def test_check_says_the_token_works_and_when_it_expires(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    result = run("account", "check", "instagram", "--json")
    [checked] = json.loads(result.stdout)
    assert checked["token_expires_at"] == stored_secrets(home, "instagram")["token_expires_at"]
    assert checked["login"] == "instagram"
    # No media host: photos cannot go out, and the check says so (videos can).
    assert result.exit_code == 1
    assert checked["problems"] == [
        "No media host is set up, so Instagram cannot fetch your photos (videos can go "
        "out). The simplest way: connect your Facebook Page with `costanza account add "
        "facebook`, and Costanza puts each photo on the Page for a moment, unseen, while "
        "Instagram fetches it. Or add a [media_host] section to your settings (see the "
        "README)."]
    assert _login_calls(platform, "ig_login_me")


def test_check_with_a_media_host_works(run: Run, app: App, home: Path,
                                       platform: Platform) -> None:
    with (home / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[media_host]\nkind = "sandbox"\nurl = "{platform.base_url}"\n')
    _connect(run, platform)
    result = run("account", "check", "instagram")
    assert result.exit_code == 0, result.output
    assert "works" in result.output and "media host: serves photos" in result.output
    assert "expires: not known yet" in result.output
    assert json.loads(run("account", "check", "--json").stdout)[0]["token_expires_at"] is None


def test_check_of_an_expired_token_holds_the_account(run: Run, app: App,
                                                     platform: Platform) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    platform.control.expire_token("instagram")
    result = run("account", "check", "instagram")
    assert result.exit_code == 1
    assert "Instagram did not accept this token" in result.output
    row = account_row(app, "instagram")
    assert row is not None and row.health == "held"


def test_refresh_when_due_stores_the_new_token_and_expiry(
        run: Run, platform: Platform, app: App, home: Path, clock: FakeClock) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    old = stored_secrets(home, "instagram")["token"]
    clock.advance(days=31)  # 29 days left: due
    platform.control.advance_clock(31 * DAY)

    [result] = refresh_instagram_login_tokens(app)

    stored = stored_secrets(home, "instagram")
    assert result["refreshed"] is True and result["problem"] is None
    assert stored["token"] != old and stored["login"] == "instagram"
    assert _expiry(home) - clock.now() == timedelta(days=60)
    assert result["token_expires_at"] == stored["token_expires_at"]
    [call] = _login_calls(platform, "ig_refresh_access_token")
    assert call["method"] == "POST" and call["path"] == "/ig-graph/refresh_access_token"
    assert run("account", "check", "instagram", "--json").stdout.count(
        stored["token_expires_at"]) == 1


@pytest.mark.parametrize("days", [0.5, 1, 29])
def test_no_refresh_when_not_due(run: Run, app: App, home: Path, platform: Platform,
                                 clock: FakeClock, days: float) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    before = stored_secrets(home, "instagram")
    clock.advance(days=days)  # too young to refresh, or 31+ days left

    [result] = refresh_instagram_login_tokens(app)

    assert result == {"name": "instagram", "refreshed": False, "problem": None,
                      "token_expires_at": before["token_expires_at"]}
    assert stored_secrets(home, "instagram") == before
    assert _login_calls(platform, "ig_refresh_access_token") == []


def test_an_unknown_expiry_is_refreshed_after_a_day(run: Run, platform: Platform, app: App,
                                                    home: Path, clock: FakeClock) -> None:
    # Made in the App Dashboard: long-lived, but Costanza was not told until when.
    _connect(run, platform, "--app-secret", APP_SECRET)
    long_lived = stored_secrets(home, "instagram")["token"]
    run("account", "remove", "instagram")
    _reconnect = run("account", "add", "instagram", "--instagram-login", "--token", long_lived)
    assert _reconnect.exit_code == 0, _reconnect.output
    assert "token_expires_at" not in stored_secrets(home, "instagram")
    clock.advance(days=1, minutes=1)
    platform.control.advance_clock(DAY + 60)

    [result] = refresh_instagram_login_tokens(app)

    assert result["refreshed"] is True
    assert _expiry(home) - clock.now() == timedelta(days=60)


def test_a_failed_refresh_keeps_the_old_token(run: Run, platform: Platform, app: App,
                                              home: Path, clock: FakeClock) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    before = stored_secrets(home, "instagram")
    clock.advance(days=31)
    platform.control.advance_clock(31 * DAY)
    platform.control.expire_token("instagram")

    [result] = refresh_instagram_login_tokens(app)

    assert result["refreshed"] is False
    assert result["problem"].startswith("Instagram did not accept this token")
    assert stored_secrets(home, "instagram") == before


def test_other_instagram_accounts_are_not_refreshed(run: Run, platform: Platform,
                                                    app: App) -> None:
    assert run("account", "add", "facebook", "--page-token",
               platform.creds["facebook"]["page_token"]).exit_code == 0
    assert run("account", "add", "instagram").exit_code == 0  # through the Page
    assert refresh_instagram_login_tokens(app) == []


def test_no_secret_is_logged_even_at_debug(run: Run, platform: Platform, app: App, home: Path,
                                           clock: FakeClock,
                                           caplog: pytest.LogCaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib3 logs every address at DEBUG, whatever an earlier test left its logger at.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    monkeypatch.setattr(logging.getLogger("urllib3"), "propagate", True)
    _connect(run, platform, "--app-secret", APP_SECRET)
    first = stored_secrets(home, "instagram")["token"]
    run("account", "check")
    clock.advance(days=31)
    platform.control.advance_clock(31 * DAY)
    refresh_instagram_login_tokens(app)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "graph.instagram.com" in logged or "ig-graph" in logged  # the calls are logged
    for value in [platform.creds["instagram"]["login_token"], APP_SECRET, first,
                  stored_secrets(home, "instagram")["token"]]:
        assert value not in logged
    # What is kept beside the token but is not secret is not hidden from the logs.
    from config.scrub import redact

    kept = stored_secrets(home, "instagram")
    said = f"login {kept['login']}, until {kept['token_expires_at']}"
    assert redact(said) == said and redact(first) != first


def test_reconnecting_through_the_page_forgets_instagram_login(run: Run, app: App, home: Path,
                                                               platform: Platform) -> None:
    _connect(run, platform, "--app-secret", APP_SECRET)
    assert run("account", "add", "facebook", "--page-token",
               platform.creds["facebook"]["page_token"]).exit_code == 0
    result = run("account", "add", "instagram")
    assert result.exit_code == 0, result.output
    assert "Reconnected the Instagram account" in result.output
    assert stored_secrets(home, "instagram") == {"token": platform.creds["facebook"]["page_token"]}


def test_the_daily_readiness_run_renews_a_due_token(
        run: Run, platform: Platform, app: App, home: Path, clock: FakeClock) -> None:
    from costanza.services.readiness import daily

    _connect(run, platform, "--app-secret", APP_SECRET)
    old = stored_secrets(home, "instagram")["token"]
    clock.advance(days=55)  # 5 days left: it would be told as expiring if not renewed
    platform.control.advance_clock(55 * DAY)

    findings = daily(app)

    assert stored_secrets(home, "instagram")["token"] != old
    assert _expiry(home) - clock.now() == timedelta(days=60)
    assert not [f for f in findings if f["subject"] == "account:instagram" and f["expires_at"]]
    assert len(_login_calls(platform, "ig_refresh_access_token")) == 1
