"""`costanza account add facebook`: the guided walk, the option form and its permissions
report, against the real sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from config.scrub import redact
from costanza.app import App
from tests.costanza.services.accounts.conftest import Platform, secret_values
from tests.costanza.services.accounts.helpers import account_row, assert_no_leak, stored_secrets

Run = Callable[..., Result]
SECRET = "app-secret-guide-42"


def _typed(platform: Platform, *more: str) -> str:
    return "\n".join([platform.creds["facebook"]["short_user_token"], "123", SECRET,
                      *more]) + "\n"


def test_the_guided_walk_with_one_page(run: Run, app: App, home: Path, platform: Platform,
                                       terminal: None) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", input=_typed(platform))
    assert result.exit_code == 0, result.output
    assert "1. Open https://developers.facebook.com/apps" in result.output
    assert "- pages_show_list: see your Pages" in result.output
    assert "- instagram_content_publish: publish on Instagram" in result.output
    assert "App settings > Basic" in result.output
    assert f"Connected the Facebook Page {fb['page_name']}" in result.output
    assert "The Page token does not expire." in result.output
    stored = stored_secrets(home, "facebook")
    assert stored["page_token"] == fb["page_token"]
    assert stored["user_token"] != fb["short_user_token"]  # the long-lived one
    assert_no_leak(home, result.output, [*secret_values(platform.creds),
                                         fb["short_user_token"], SECRET])


def test_the_guided_walk_with_several_pages_asks_for_a_number(
        run: Run, app: App, home: Path, platform: Platform, terminal: None) -> None:
    other = platform.control.create_accounts("caseificio", managed_by="bottega")["facebook"]
    result = run("account", "add", "facebook", input=_typed(platform, "2"))
    assert result.exit_code == 0, result.output
    assert f"2. {other['page_name']} ({other['page_id']})" in result.output
    row = account_row(app, "facebook")
    assert row is not None and row.remote_id == other["page_id"]
    assert stored_secrets(home, "facebook")["page_token"] == other["page_token"]


@pytest.mark.parametrize("typed", ["", "\n", "EAASBXSsomething\n", "EAASBXSsomething\n123\n"])
def test_ctrl_d_or_nothing_typed_connects_nothing(run: Run, app: App, home: Path,
                                                  platform: Platform, terminal: None,
                                                  typed: str) -> None:
    result = run("account", "add", "facebook", input=typed)
    assert result.exit_code == 1
    assert "so no Facebook Page was connected" in result.output
    assert account_row(app, "facebook") is None
    assert not (home / "secrets.toml").exists() or not stored_secrets(home, "facebook")


def test_without_a_terminal_the_steps_and_the_command_are_printed(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    result = run("account", "add", "facebook")
    assert result.exit_code == 1
    assert "1. Open https://developers.facebook.com/apps" in result.output
    assert ("costanza account add facebook --user-token USER-TOKEN --app-id APP-ID "
            "--app-secret APP-SECRET") in result.output
    assert account_row(app, "facebook") is None
    assert not (home / "secrets.toml").exists()
    as_json = run("account", "add", "facebook", "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["connected"] is False and len(data["steps"]) == 6
    assert "--user-token USER-TOKEN" in data["next_command"]


def test_the_option_form_ends_with_a_page_token_that_never_expires(
        run: Run, app: App, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    args = ("account", "add", "facebook", "--user-token", fb["short_user_token"],
            "--app-id", "123", "--app-secret", SECRET)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Permissions granted: " in result.output and "pages_manage_posts" in result.output
    assert "The Page token does not expire." in result.output
    data = json.loads(run(*args, "--json").stdout)
    assert data["token_expires_at"] is None
    report = data["permissions"]
    assert report["never_expires"] is True and report["valid"] is True
    assert report["missing"] == [] and "instagram_basic" in report["granted"]


def test_a_short_lived_login_without_the_app_says_when_the_token_expires(
        run: Run, app: App, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", "--user-token", fb["short_user_token"],
                 "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["token_expires_at"].endswith("+00:00")
    checked = json.loads(run("account", "check", "facebook", "--json").stdout)[0]
    assert checked["token_expires_at"] == data["token_expires_at"]


def test_a_declined_instagram_permission_connects_with_a_warning(
        run: Run, app: App, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    platform.control.decline_permissions(["instagram_content_publish"])
    result = run("account", "add", "facebook", "--user-token", fb["short_user_token"],
                 "--app-id", "123", "--app-secret", SECRET)
    assert result.exit_code == 0, result.output
    assert ("Missing: Without instagram_content_publish, Costanza cannot publish on "
            "Instagram.") in result.output
    assert "make a new token with instagram_content_publish ticked" in result.output


def test_a_declined_facebook_permission_connects_nothing(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    platform.control.decline_permissions(["pages_manage_posts"])
    result = run("account", "add", "facebook", "--user-token", fb["short_user_token"],
                 "--app-id", "123", "--app-secret", SECRET)
    assert result.exit_code == 1
    assert "Without pages_manage_posts, Costanza cannot publish on your Page." in result.output
    assert "the Page was not connected" in result.output
    assert account_row(app, "facebook") is None


def test_account_check_names_a_permission_declined_later(run: Run, app: App,
                                                         platform: Platform) -> None:
    fb = platform.creds["facebook"]
    assert run("account", "add", "facebook", "--user-token", fb["short_user_token"],
               "--app-id", "123", "--app-secret", SECRET).exit_code == 0
    checked = json.loads(run("account", "check", "--json").stdout)[0]
    assert checked["ok"] and checked["token_expires_at"] is None
    platform.control.decline_permissions(["pages_read_engagement"])
    result = run("account", "check", "--json")
    assert result.exit_code == 1
    checked = json.loads(result.stdout)[0]
    assert checked["missing_permissions"][0]["permission"] == "pages_read_engagement"
    assert checked["problems"][0].startswith("Without pages_read_engagement, Costanza cannot")


def test_no_secret_reaches_the_log_at_debug(run: Run, app: App, home: Path, platform: Platform,
                                            terminal: None,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert run("account", "add", "facebook", input=_typed(platform)).exit_code == 0
    assert run("account", "check").exit_code == 0
    logged = "\n".join(r.getMessage() for r in caplog.records)
    stored = stored_secrets(home, "facebook")
    for value in [*secret_values(platform.creds), platform.creds["facebook"]["short_user_token"],
                  SECRET, stored["user_token"]]:
        assert value not in logged


def test_the_scrubber_hides_the_exchange_secrets() -> None:
    said = redact("client_id=1&client_secret=abcdef123&fb_exchange_token=EAAshort99&"
                  "app_secret=xyz12345")
    assert "abcdef123" not in said and "EAAshort99" not in said and "xyz12345" not in said
