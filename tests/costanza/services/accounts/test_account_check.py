"""`costanza account check` and `list`: real calls to the sandbox, holding and releasing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from costanza.app import App
from costanza.demo.file_server import serve_folder
from posts.deliveries import hold_account
from tests.costanza.services.accounts.conftest import SHORT_LIVED, Front, Platform, secret_values
from tests.costanza.services.accounts.helpers import (
    account_row,
    assert_no_leak,
    delivery,
    set_state,
)

Run = Callable[..., Result]


def _connect(run: Run, platform: Platform, *networks: str) -> None:
    x, fb = platform.creds["x"], platform.creds["facebook"]
    commands = {
        "x": ("x", "--consumer-key", x["consumer_key"], "--consumer-secret",
              x["consumer_secret"], "--access-token", x["access_token"],
              "--access-token-secret", x["access_token_secret"]),
        "facebook": ("facebook", "--page-token", fb["page_token"]),
        "instagram": ("instagram",),
    }
    for network in networks:
        result = run("account", "add", *commands[network])
        assert result.exit_code == 0, result.output


@pytest.fixture
def web_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "www" / "media"
    folder.mkdir(parents=True)
    with serve_folder(tmp_path / "www") as base_url:
        yield folder, base_url + "media/"


def _media_host(home: Path, path: Path, base_url: str) -> None:
    with (home / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[media_host]\nkind = "folder"\npath = {json.dumps(str(path))}\n'
                 f"base_url = {json.dumps(base_url)}\n")


def test_check_says_every_account_works(run: Run, app: App, home: Path,
                                        platform: Platform) -> None:
    _connect(run, platform, "x", "facebook")

    result = run("account", "check")

    assert result.exit_code == 0, result.output
    assert "x (X account @bottega): works" in result.output
    assert "facebook (Facebook Page bottega (sandbox page)): works" in result.output
    assert_no_leak(home, result.output, secret_values(platform.creds))


def test_check_releases_an_account_on_hold(run: Run, app: App, platform: Platform,
                                           queued_for: Callable[..., list[int]]) -> None:
    _connect(run, platform, "x")
    waiting = queued_for("x", 2)
    row = account_row(app, "x")
    assert row is not None
    with app.store.write() as db:
        hold_account(db, row.id, "X no longer accepts the keys.", app.clock.now())
    for d in waiting:
        set_state(app, d, state="held", reason="X no longer accepts the keys.")

    result = run("account", "check", "x")

    assert result.exit_code == 0, result.output
    assert "2 waiting posts will go out again" in result.output
    row = account_row(app, "x")
    assert row is not None and (row.health, row.health_reason) == ("ok", None)
    assert row.checked_at is not None
    assert [delivery(app, d).state for d in waiting] == ["queued", "queued"]


def test_an_expired_x_token_puts_the_account_on_hold(
        run: Run, app: App, platform: Platform,
        queued_for: Callable[..., list[int]]) -> None:
    _connect(run, platform, "x")
    platform.control.fault("x", "users_me", expire_token=True)

    result = run("account", "check", "x")

    assert result.exit_code == 1
    assert "x (X account @bottega): HAS A PROBLEM" in result.output
    assert "X did not accept these keys (401)" in result.output
    row = account_row(app, "x")
    assert row is not None and row.health == "held"
    assert row.health_reason is not None
    assert "costanza account add x" in row.health_reason
    # A post whose slot comes now waits, with the reason in plain words.
    [waiting] = queued_for("x")
    assert delivery(app, waiting).state == "held"
    assert delivery(app, waiting).reason == row.health_reason
    listed = run("account", "list")
    assert "ON HOLD: X did not accept these keys (401)" in listed.output


def test_an_expired_page_token_puts_facebook_on_hold(run: Run, app: App,
                                                     platform: Platform) -> None:
    _connect(run, platform, "facebook", "x")
    platform.control.expire_token("facebook", "bottega")

    result = run("account", "check", "--json")

    assert result.exit_code == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert checks["x"]["ok"] and checks["x"]["health"] == "ok"
    assert not checks["facebook"]["ok"] and checks["facebook"]["health"] == "held"
    assert checks["facebook"]["problems"][0].startswith(
        "Facebook did not accept this token (code 190)")
    row = account_row(app, "facebook")
    assert row is not None and row.health == "held"


def test_check_lists_the_permissions_of_the_login(run: Run, app: App, platform: Platform,
                                                  oauth_front: Front) -> None:
    assert run("account", "add", "facebook", "--user-token", SHORT_LIVED, "--app-id", "1",
               "--app-secret", "app-secret-1").exit_code == 0

    result = run("account", "check")
    assert result.exit_code == 0, result.output
    assert ("permissions: pages_manage_posts, pages_read_engagement, pages_show_list"
            in result.output)
    assert "expires: never" in result.output

    oauth_front.permissions = [{"permission": "pages_read_engagement", "status": "granted"},
                               {"permission": "pages_manage_posts", "status": "declined"}]
    result = run("account", "check")
    assert result.exit_code == 1
    assert ("problem: Without pages_manage_posts, Costanza cannot publish on your Page. "
            "Connect again with `costanza account add facebook`" in result.output)


def test_instagram_check_fetches_a_photo_from_the_media_host(
        run: Run, app: App, home: Path, platform: Platform,
        web_folder: tuple[Path, str]) -> None:
    folder, base_url = web_folder
    _media_host(home, folder, base_url)
    _connect(run, platform, "facebook", "instagram")

    result = run("account", "check", "instagram")

    assert result.exit_code == 0, result.output
    assert f"media host: serves photos ({base_url}" in result.output
    assert "only be reached from this computer" in result.output
    assert list(folder.iterdir()) == []


def test_instagram_check_names_a_media_host_that_does_not_serve(
        run: Run, app: App, home: Path, platform: Platform,
        web_folder: tuple[Path, str], tmp_path: Path) -> None:
    _, base_url = web_folder
    _media_host(home, tmp_path / "elsewhere", base_url)
    _connect(run, platform, "facebook", "instagram")

    result = run("account", "check", "instagram")

    assert result.exit_code == 1
    assert f"Instagram will not be able to fetch your photos: {base_url}" in result.output
    assert "answered 404. Check that base_url" in result.output
    row = account_row(app, "instagram")
    assert row is not None and row.health == "ok"  # the token works: posts are not held


def test_instagram_check_without_a_media_host_uses_the_facebook_page(
        run: Run, app: App, home: Path, platform: Platform) -> None:
    _connect(run, platform, "facebook", "instagram")

    result = run("account", "check", "instagram")

    assert result.exit_code == 0, result.output
    assert f"media host: serves photos ({platform.base_url}/_sandbox/cdn/" in result.output
    staged = json.loads((home / "staged-photos.json").read_text(encoding="utf-8"))
    assert staged == {"photos": {}}  # the test photo was deleted again
    assert platform.control.posts("facebook") == []  # and never on the Page's feed
    assert_no_leak(home, result.output, [platform.creds["facebook"]["page_token"]])


def test_instagram_check_with_a_page_that_may_not_add_photos(
        run: Run, app: App, platform: Platform) -> None:
    _connect(run, platform, "facebook", "instagram")
    platform.control.fault("facebook", "photos", status=403, body={"error": {
        "message": "(#200) Requires pages_manage_posts permission", "type": "OAuthException",
        "code": 200}})

    result = run("account", "check", "instagram")

    assert result.exit_code == 1
    assert "does not let this Page's token add photos" in result.output
    assert "pages_manage_posts" in result.output


def test_instagram_check_without_a_media_host_or_a_page(run: Run, app: App,
                                                         platform: Platform) -> None:
    ig = platform.creds["instagram"]
    assert run("account", "add", "instagram", "--ig-user-id", ig["ig_user_id"],
               "--token", ig["token"]).exit_code == 0
    result = run("account", "check", "instagram")
    assert result.exit_code == 1
    assert "No media host is set up" in result.output
    assert "connect your Facebook Page with `costanza account add facebook`" in result.output


def test_check_an_unknown_account(run: Run, app: App, platform: Platform) -> None:
    result = run("account", "check", "nobody")
    assert result.exit_code == 1
    assert "There is no account called 'nobody'" in result.output


def test_list_as_json(run: Run, app: App, platform: Platform) -> None:
    assert run("account", "list").output.startswith("No account is connected yet")
    _connect(run, platform, "x", "facebook")
    rows = json.loads(run("account", "list", "--json").stdout)
    assert [(r["name"], r["network"], r["health"]) for r in rows] == \
        [("facebook", "facebook", "ok"), ("x", "x", "ok")]
    assert rows[1]["remote_id"] == platform.creds["x"]["user_id"]
    assert rows[1]["display_name"] == "@bottega"


def test_account_commands_load_no_network_library_until_used() -> None:
    import subprocess
    import sys

    code = ("import sys\n"
            "import costanza.services.accounts, costanza.cli.account\n"
            "loaded = {'boto3', 'tweepy', 'facebook'} & set(sys.modules)\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=Path(__file__).resolve().parents[4])


def test_a_network_outage_does_not_hold_the_account(run: Run, app: App, platform: Platform,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _connect(run, platform, "x", "facebook")
    platform.control.fault("facebook", status=500, times=5)

    result = run("account", "check", "facebook")

    assert result.exit_code == 1
    assert "Facebook had a temporary problem (code 2). Run the command again in a few " \
        "minutes." in result.output
    row = account_row(app, "facebook")
    assert row is not None and row.health == "ok"

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("COSTANZA_PLATFORM_URL", f"http://127.0.0.1:{closed}")
    result = run("account", "check", "x")
    assert result.exit_code == 1
    assert "Costanza could not reach X (the connection failed). Check your internet " \
        "connection" in result.output
    row = account_row(app, "x")
    assert row is not None and row.health == "ok"


def test_reconnecting_a_held_account_resumes_its_posts(
        run: Run, app: App, platform: Platform,
        queued_for: Callable[..., list[int]]) -> None:
    _connect(run, platform, "x")
    platform.control.fault("x", "users_me", expire_token=True)
    assert run("account", "check", "x").exit_code == 1
    [waiting] = queued_for("x")
    assert delivery(app, waiting).state == "held"

    fresh = platform.control.create_accounts("bottega-nuova")["x"]
    result = run("account", "add", "x", "--consumer-key", fresh["consumer_key"],
                 "--consumer-secret", fresh["consumer_secret"], "--access-token",
                 fresh["access_token"], "--access-token-secret", fresh["access_token_secret"])

    assert result.exit_code == 0, result.output
    assert "Reconnected the X account" in result.output
    assert "1 post that was waiting for this account will go out" in result.output
    row = account_row(app, "x")
    assert row is not None and (row.health, row.remote_id) == ("ok", fresh["user_id"])
    assert delivery(app, waiting).state == "queued"
