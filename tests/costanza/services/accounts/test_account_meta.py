"""`costanza account add facebook | instagram` against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from costanza.app import App
from tests.costanza.services.accounts.conftest import SHORT_LIVED, Front, Platform, secret_values
from tests.costanza.services.accounts.helpers import account_row, assert_no_leak, stored_secrets

Run = Callable[..., Result]


def test_add_facebook_with_a_page_token(run: Run, app: App, home: Path,
                                        platform: Platform) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", "--page-id", fb["page_id"],
                 "--page-token", fb["page_token"])

    assert result.exit_code == 0, result.output
    assert f"Connected the Facebook Page {fb['page_name']} as 'facebook'" in result.output
    row = account_row(app, "facebook")
    assert row is not None
    assert (row.remote_id, row.display_name) == (fb["page_id"], fb["page_name"])
    assert stored_secrets(home, "facebook") == {"page_token": fb["page_token"]}
    assert_no_leak(home, result.output, secret_values(platform.creds))


def test_a_user_token_given_as_page_token_is_refused(run: Run, app: App,
                                                     platform: Platform) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", "--page-id", fb["page_id"],
                 "--page-token", fb["user_token"])
    assert result.exit_code == 1
    assert f"This token is not the Page token of the Page {fb['page_id']}" in result.output
    assert "--user-token" in result.output


def test_an_unknown_token_is_said_plainly(run: Run, app: App, home: Path,
                                          platform: Platform) -> None:
    result = run("account", "add", "facebook", "--page-token", "EAASBXPnotatoken")
    assert result.exit_code == 1
    assert result.output.startswith("Facebook did not accept this token (code 190)")
    assert "run `costanza account add facebook` again" in result.output
    assert account_row(app, "facebook") is None


def test_add_facebook_from_a_login_token_exchanged_for_a_long_lived_one(
        run: Run, app: App, home: Path, platform: Platform, oauth_front: Front) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", "--user-token", SHORT_LIVED,
                 "--app-id", "123", "--app-secret", "app-secret-1")

    assert result.exit_code == 0, result.output
    assert f"Connected the Facebook Page {fb['page_name']}" in result.output
    stored = stored_secrets(home, "facebook")
    assert stored["page_token"] == fb["page_token"]
    assert stored["user_token"] == fb["user_token"]  # the long-lived one
    assert "user_token_expires_at" in stored
    exchange = next(c for c in oauth_front.calls if c["path"].endswith("/oauth/access_token"))
    assert exchange["method"] == "POST" and exchange["query"] == ""
    assert exchange["form"] == ["client_id", "client_secret", "fb_exchange_token",
                                "grant_type"]
    secrets = [*secret_values(platform.creds), SHORT_LIVED, "app-secret-1"]
    assert not [c for c in oauth_front.calls for s in secrets if s in c["query"]]
    assert_no_leak(home, result.output,
                   [*secret_values(platform.creds), SHORT_LIVED, "app-secret-1"])


def test_a_wrong_app_secret_is_said_plainly(run: Run, app: App, platform: Platform,
                                            oauth_front: Front) -> None:
    result = run("account", "add", "facebook", "--user-token", SHORT_LIVED,
                 "--app-id", "123", "--app-secret", "wrong")
    assert result.exit_code == 1
    assert "Facebook" in result.output and "app-secret" not in result.output
    assert account_row(app, "facebook") is None


def test_login_token_without_app_keys_warns_and_picks_the_only_page(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", "--user-token", fb["user_token"])
    assert result.exit_code == 0, result.output
    assert "was not exchanged for a long-lived one" in result.output
    assert stored_secrets(home, "facebook")["page_token"] == fb["page_token"]


def test_a_page_the_login_does_not_manage(run: Run, app: App, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    result = run("account", "add", "facebook", "--user-token", fb["user_token"],
                 "--page-id", "42")
    assert result.exit_code == 1
    assert "This login does not manage the Page 42. It manages: " in result.output


def test_instagram_is_found_from_the_connected_page(run: Run, app: App, home: Path,
                                                   platform: Platform) -> None:
    fb, ig = platform.creds["facebook"], platform.creds["instagram"]
    assert run("account", "add", "facebook", "--page-token", fb["page_token"]).exit_code == 0

    result = run("account", "add", "instagram")

    assert result.exit_code == 0, result.output
    assert f"Connected the Instagram account @{ig['username']} as 'instagram'" in result.output
    assert "Found the Instagram account linked to the Page" in result.output
    assert "[media_host]" not in result.output  # the Page stages the photos
    row = account_row(app, "instagram")
    assert row is not None and row.remote_id == ig["ig_user_id"]
    assert stored_secrets(home, "instagram") == {"token": fb["page_token"]}
    assert_no_leak(home, result.output, secret_values(platform.creds))


def test_instagram_found_from_a_page_given_on_the_command_line(
        run: Run, app: App, platform: Platform) -> None:
    fb, ig = platform.creds["facebook"], platform.creds["instagram"]
    result = run("account", "add", "instagram", "--page-id", fb["page_id"],
                 "--page-token", fb["page_token"], "--json")
    assert result.exit_code == 0, result.output
    assert f'"remote_id": "{ig["ig_user_id"]}"' in result.output


def test_instagram_with_id_and_token(run: Run, app: App, home: Path,
                                     platform: Platform) -> None:
    ig = platform.creds["instagram"]
    result = run("account", "add", "instagram", "--ig-user-id", ig["ig_user_id"],
                 "--token", ig["token"])
    assert result.exit_code == 0, result.output
    assert stored_secrets(home, "instagram") == {"token": ig["token"]}


def test_instagram_without_a_page_says_what_to_do(run: Run, app: App,
                                                  platform: Platform) -> None:
    result = run("account", "add", "instagram")
    assert result.exit_code == 1
    assert "Connect the Page first with `costanza account add facebook ...`" in result.output


def test_reconnecting_keeps_the_secrets_not_given_again(
        run: Run, app: App, home: Path, platform: Platform, oauth_front: Front) -> None:
    fb = platform.creds["facebook"]
    run("account", "add", "facebook", "--user-token", SHORT_LIVED, "--app-id", "123",
        "--app-secret", "app-secret-1")
    before = stored_secrets(home, "facebook")

    result = run("account", "add", "facebook", "--page-token", fb["page_token"])

    assert result.exit_code == 0, result.output
    assert "Reconnected the Facebook Page" in result.output
    after = stored_secrets(home, "facebook")
    assert after["user_token"] == before["user_token"]
    assert after["user_token_expires_at"] == before["user_token_expires_at"]
    assert after["page_token"] == fb["page_token"]
    with app.store.read() as db:
        from sqlalchemy import func, select

        from posts.models import Account

        assert db.scalar(select(func.count()).select_from(Account)) == 1


def test_facebook_setup_logs_no_token_even_at_debug(run: Run, app: App, platform: Platform,
                                                    oauth_front: Front,
                                                    caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    result = run("account", "add", "facebook", "--user-token", SHORT_LIVED, "--app-id", "123",
                 "--app-secret", "app-secret-1")
    assert result.exit_code == 0, result.output
    assert run("account", "add", "instagram").exit_code == 0
    assert run("account", "check").exit_code == 0  # photos are staged on the Page
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in [*secret_values(platform.creds), SHORT_LIVED, "app-secret-1"]:
        assert value not in logged


def test_a_login_with_several_pages_lets_you_pick_one_by_number(
        run: Run, app: App, home: Path, platform: Platform, oauth_front: Front) -> None:
    fb = platform.creds["facebook"]
    oauth_front.extra_pages = [{"id": "555", "name": "Caseificio Rossi",
                                "access_token": "EAAOTHERPAGE0000"}]

    result = run("account", "add", "facebook", "--user-token", fb["user_token"], input="2\n")

    assert result.exit_code == 0, result.output
    assert "1. Caseificio Rossi (555)" in result.output
    assert f"2. {fb['page_name']} ({fb['page_id']})" in result.output
    assert f"Connected the Facebook Page {fb['page_name']}" in result.output
    row = account_row(app, "facebook")
    assert row is not None and row.remote_id == fb["page_id"]
    assert stored_secrets(home, "facebook")["page_token"] == fb["page_token"]
    assert "EAAOTHERPAGE0000" not in result.output


def test_several_pages_and_a_page_id_needs_no_question(
        run: Run, app: App, platform: Platform, oauth_front: Front) -> None:
    fb = platform.creds["facebook"]
    oauth_front.extra_pages = [{"id": "555", "name": "Caseificio Rossi",
                                "access_token": "EAAOTHERPAGE0000"}]
    result = run("account", "add", "facebook", "--user-token", fb["user_token"],
                 "--page-id", fb["page_id"])
    assert result.exit_code == 0, result.output
    assert "Which one" not in result.output


def test_an_unrecognised_graph_error_says_what_to_do() -> None:
    from costanza.services.accounts.common import AccountProblem, graph_problem

    problem = graph_problem("instagram", 400, {"code": 368, "message": "Temporarily blocked"})
    assert isinstance(problem, AccountProblem)
    assert problem.message.startswith(
        "Instagram refused the request (code 368: Temporarily blocked).")
    assert "run the command again" in problem.message
    assert "`costanza account add instagram ...`" in problem.message
